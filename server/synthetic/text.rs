//! Words for synthetic content. Word frequencies follow Zipf's law, as in real text, so
//! searches find common words in thousands of documents and rare ones in a handful. A
//! domain vocabulary holds the most frequent ranks, so benchmarks can ask for real terms.

use rand::Rng;
use rand::rngs::StdRng;

/// Real words, most frequent first.
const DOMAIN: &[&str] = &[
    "plant",
    "safety",
    "process",
    "team",
    "project",
    "data",
    "customer",
    "quality",
    "supply",
    "production",
    "energy",
    "pump",
    "valve",
    "maintenance",
    "training",
    "digital",
    "cloud",
    "report",
    "meeting",
    "sustainability",
    "cost",
    "review",
    "sensor",
    "reactor",
    "steam",
    "logistics",
    "warehouse",
    "contract",
    "supplier",
    "audit",
    "compliance",
    "kubernetes",
    "rust",
    "python",
    "analytics",
    "dashboard",
    "migration",
    "catalyst",
    "polymer",
    "coating",
    "emissions",
    "recycling",
    "hydrogen",
    "battery",
    "solvent",
    "laboratory",
    "pilot",
    "automation",
    "robot",
    "inspection",
    "forecast",
    "budget",
    "invoice",
    "onboarding",
    "mentoring",
    "workshop",
    "innovation",
    "patent",
    "regulation",
    "packaging",
    "shipment",
    "compressor",
    "turbine",
    "cooling",
    "heat",
    "exchanger",
    "pipeline",
    "leak",
    "corrosion",
    "gasket",
    "lubrication",
    "vibration",
    "downtime",
    "shift",
    "handover",
    "checklist",
    "permit",
    "hazard",
    "ergonomics",
    "gloves",
    "helmet",
    "certification",
    "security",
    "password",
    "network",
    "firewall",
    "backup",
    "database",
    "latency",
    "api",
    "integration",
    "interface",
    "workflow",
    "approval",
    "procurement",
    "tender",
    "pricing",
];

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ten", "ra", "sol", "vek", "dor", "pin", "tu", "gar", "shi", "ne", "bel", "om", "fra",
    "qui", "zen", "lu", "cor", "ta", "ber", "nix", "pa",
];

/// A vocabulary with Zipf-distributed sampling.
pub struct Words {
    words: Vec<String>,
    /// Cumulative weights, for sampling by binary search.
    cumulative: Vec<f64>,
}

impl Words {
    /// The domain words, then made-up ones, `size` in all.
    pub fn new(size: usize) -> Self {
        let mut words: Vec<String> = DOMAIN.iter().map(|w| (*w).to_owned()).collect();
        'outer: for a in SYLLABLES {
            for b in SYLLABLES {
                for c in ["", "n", "ro", "ta", "mel"] {
                    if words.len() >= size {
                        break 'outer;
                    }
                    words.push(format!("{a}{b}{c}"));
                }
            }
        }
        let mut total = 0.0;
        let cumulative = (1..=words.len())
            .map(|rank| {
                total += 1.0 / (rank as f64).powf(1.07);
                total
            })
            .collect();
        Self { words, cumulative }
    }

    /// One word, by frequency.
    pub fn word(&self, rng: &mut StdRng) -> &str {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let pick = rng.random::<f64>() * total;
        let at = self.cumulative.partition_point(|c| *c < pick).min(self.words.len() - 1);
        &self.words[at]
    }

    /// A few words, the first capitalised: a title.
    pub fn title(&self, rng: &mut StdRng) -> String {
        let n = rng.random_range(3..8);
        let mut title = self.sentence(rng, n);
        title.pop();
        title
    }

    /// `n` words ending in a full stop.
    pub fn sentence(&self, rng: &mut StdRng, n: usize) -> String {
        let mut out = String::new();
        for i in 0..n {
            let word = self.word(rng);
            if i == 0 {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
            } else {
                out.push(' ');
                out.push_str(word);
            }
        }
        out.push('.');
        out
    }

    /// A few sentences.
    pub fn paragraph(&self, rng: &mut StdRng, sentences: std::ops::Range<usize>) -> String {
        let n = rng.random_range(sentences);
        (0..n)
            .map(|_| {
                let words = rng.random_range(6..16);
                self.sentence(rng, words)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}
