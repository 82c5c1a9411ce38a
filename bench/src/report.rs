//! The results: every measure with its target (issue #11), written as JSON for tools and as
//! a Markdown table for docs/PERFORMANCE.md.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

/// The `p` quantile (0–1) of sorted durations, in milliseconds (NaN when there are none).
pub fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 - 1.0) * p).round() as usize)
        .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
}

/// Which way a target points.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    AtLeast,
    AtMost,
}

#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub bound: Bound,
    pub value: f64,
}

/// One measured number.
#[derive(Debug, Clone, Serialize)]
pub struct Measure {
    pub path: String,
    pub value: f64,
    pub unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// What else the reader needs (the raw rate behind a ratio, a check's detail).
    pub note: String,
}

impl Measure {
    pub fn met(&self) -> Option<bool> {
        self.target.as_ref().map(|t| match t.bound {
            Bound::AtLeast => self.value >= t.value,
            Bound::AtMost => self.value <= t.value,
        })
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub preset: String,
    pub commit: String,
    pub machine: String,
    pub started: String,
    pub dataset: String,
    pub measures: Vec<Measure>,
}

impl Report {
    pub fn add(
        &mut self,
        path: &str,
        value: f64,
        unit: &str,
        target: Option<(Bound, f64)>,
        note: impl Into<String>,
    ) {
        let measure = Measure {
            path: path.to_owned(),
            value,
            unit: unit.to_owned(),
            target: target.map(|(bound, value)| Target { bound, value }),
            note: note.into(),
        };
        println!("  {}", row(&measure));
        self.measures.push(measure);
    }

    pub fn markdown(&self) -> String {
        let mut out = format!(
            "Preset `{}`, commit {}, {}; {}; started {}.\n\n| path | measured | target | met | note |\n|---|---:|---:|:---:|---|\n",
            self.preset, self.commit, self.machine, self.dataset, self.started
        );
        for measure in &self.measures {
            let _ = writeln!(out, "{}", row(measure));
        }
        out
    }

    /// Writes `<dir>/<preset>.json` and `<dir>/<preset>.md`.
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(format!("{}.json", self.preset)), serde_json::to_string_pretty(self)?)?;
        std::fs::write(dir.join(format!("{}.md", self.preset)), self.markdown())?;
        Ok(())
    }
}

fn number(value: f64, unit: &str) -> String {
    let digits = if value.abs() >= 100.0 || unit == "votes" {
        0
    } else if value.abs() >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{value:.digits$}");
    // Thousands separators for the integer part.
    let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let (sign, int) = int.strip_prefix('-').map_or(("", int), |i| ("-", i));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let unit = if unit.is_empty() || unit == "×" { unit.to_owned() } else { format!(" {unit}") };
    match frac {
        Some(frac) => format!("{sign}{grouped}.{frac}{unit}"),
        None => format!("{sign}{grouped}{unit}"),
    }
}

fn row(m: &Measure) -> String {
    let target = m.target.as_ref().map_or(String::new(), |t| {
        let sign = match t.bound {
            Bound::AtLeast => "≥",
            Bound::AtMost => "≤",
        };
        format!("{sign} {}", number(t.value, &m.unit))
    });
    let met = match m.met() {
        Some(true) => "yes",
        Some(false) => "**no**",
        None => "",
    };
    format!("| {} | {} | {target} | {met} | {} |", m.path, number(m.value, &m.unit), m.note)
}
