//! Calendar quarters (`2026-Q4`) and the published docket formula.

use chrono::{NaiveDate, NaiveDateTime};

/// How the docket is chosen, as published on the board.
pub const FORMULA: &str = "The quarter's submitted ideas ranked by distinct supporters (one vote per employee, \
    authors cannot vote for their own idea); ties go to the idea submitted first. The top N enter review; \
    the rest stay open and carry into the next quarter.";

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quarter {
    pub year: i32,
    /// 1–4.
    pub number: u32,
}

impl Quarter {
    /// Parses `YYYY-QN`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bad = || format!("'{raw}' is not a quarter: write it like 2026-Q4");
        let (year, number) = raw.trim().split_once("-Q").ok_or_else(bad)?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        let number: u32 = number.parse().map_err(|_| bad())?;
        if (1..=4).contains(&number) && (2000..=2999).contains(&year) {
            Ok(Self { year, number })
        } else {
            Err(bad())
        }
    }

    /// The first moment after the quarter (UTC).
    pub fn end(self) -> NaiveDateTime {
        let (year, month) =
            if self.number == 4 { (self.year + 1, 1) } else { (self.year, self.number * 3 + 1) };
        NaiveDate::from_ymd_opt(year, month, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default()
    }
}

impl Quarter {
    /// The quarter a moment falls in.
    pub fn of(at: NaiveDateTime) -> Self {
        use chrono::Datelike;
        Self { year: at.year(), number: at.month0() / 3 + 1 }
    }

    /// The first moment of the quarter (UTC).
    pub fn start(self) -> NaiveDateTime {
        self.previous().end()
    }

    /// The quarter before this one.
    pub fn previous(self) -> Self {
        if self.number == 1 {
            Self { year: self.year - 1, number: 4 }
        } else {
            Self { number: self.number - 1, ..self }
        }
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-Q{}", self.year, self.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_parse_and_end() {
        let q = Quarter::parse("2026-Q4").unwrap();
        assert_eq!(q.to_string(), "2026-Q4");
        assert_eq!(q.end().to_string(), "2027-01-01 00:00:00");
        assert_eq!(Quarter::parse("2026-Q1").unwrap().end().to_string(), "2026-04-01 00:00:00");
        assert_eq!(Quarter::parse("2026-Q1").unwrap().previous().to_string(), "2025-Q4");
        assert_eq!(q.previous().to_string(), "2026-Q3");
        for bad in ["2026-Q5", "2026Q4", "Q4-2026", "", "2026-Q0", "abcd-Q1"] {
            assert!(Quarter::parse(bad).is_err(), "{bad}");
        }
    }
}
