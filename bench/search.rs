//! Search at scale, measured on the search component itself: builds an index of a
//! synthetic corpus (default 500,000 posts and 1,000,000 comments over 4,500 communities,
//! 10% private), then measures indexing throughput, query latency over a fixed mix of
//! 1,000 queries as a typical viewer (a few private memberships, the rest hidden), expert
//! search latency, and new-post-to-searchable latency on the full index.
//!
//! `cargo run --release --example search -- [posts] [dir]` (`AGORA_BENCH_REUSE=1` skips
//! indexing when `dir` already holds the corpus)
//!
//! The corpus is deterministic (seeded): words follow a Zipf-like law over a 20,000-word
//! vocabulary, so common words match hundreds of thousands of documents and rare ones a
//! handful, as in real text. The database is not involved: `agora reindex` adds reading
//! rows to what is measured here, and is measured with the seeding command's dataset.

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use search_index::{Doc, ExpertQuery, Kind, SearchIndex, SearchQuery, Writer, WriterHandle};

const COMMUNITIES: i64 = 4_500;
const PEOPLE: i64 = 50_000;
const VOCABULARY: usize = 20_000;
/// How many of the 1,000 queries run (`AGORA_BENCH_QUERIES`, for quick looks).
fn query_count() -> usize {
    std::env::var("AGORA_BENCH_QUERIES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}

fn vocabulary() -> Vec<String> {
    const SYLLABLES: &[&str] = &[
        "ka", "lo", "mi", "ter", "son", "vel", "ra", "dun", "pri", "cho", "ma", "ne", "sta", "gro", "fen",
        "tal", "bri", "vo", "zen", "ul", "dor", "pa", "qui", "res", "ti", "ox", "lam", "bre", "cy", "num",
    ];
    let n = SYLLABLES.len();
    (0..VOCABULARY)
        .map(|i| {
            let (a, b, c) = (i % n, (i / n) % n, (i / (n * n)) % n);
            let mut word = format!("{}{}", SYLLABLES[a], SYLLABLES[b]);
            if i >= n * n {
                word.push_str(SYLLABLES[c]);
            }
            word
        })
        .collect()
}

/// A word index drawn from a log-uniform law: rank r is picked with probability ~1/r.
fn zipf(rng: &mut StdRng) -> usize {
    let u: f64 = rng.random();
    ((VOCABULARY as f64).powf(u) as usize).saturating_sub(1).min(VOCABULARY - 1)
}

fn text(rng: &mut StdRng, words: &[String], len: usize) -> String {
    (0..len).map(|_| words[zipf(rng)].as_str()).collect::<Vec<_>>().join(" ")
}

fn doc(rng: &mut StdRng, words: &[String], kind: Kind, id: i64, now: i64) -> Doc {
    let community = rng.random_range(1..=COMMUNITIES);
    let (title, body) = match kind {
        Kind::Post => (text(rng, words, 6), text(rng, words, 40)),
        _ => (String::new(), text(rng, words, 20)),
    };
    Doc {
        kind,
        key: format!("{}:{id}", kind.as_str()),
        parent: (kind == Kind::Comment).then(|| format!("post:{}", id / 2)),
        id,
        label: title.clone(),
        title,
        body,
        tags: Vec::new(),
        url: format!("/posts/{id}"),
        community: Some(community),
        author: Some(rng.random_range(1..=PEOPLE)),
        department: format!("dept-{}", community % 40),
        created: now - rng.random_range(0..(2 * 365 * 86_400)),
        accepted: false,
    }
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    (at(0.5), at(0.99))
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let posts: i64 = args.next().map_or(Ok(500_000), |a| a.parse())?;
    let dir = args.next().map_or_else(|| std::env::temp_dir().join("agora-search-bench"), Into::into);
    let comments = posts * 2;
    let words = vocabulary();
    let mut rng = StdRng::seed_from_u64(7);
    let now = 1_795_000_000;
    let (index, _) = SearchIndex::open(&dir.join("index"))?;
    let mut writer = Writer::open(&index, 256 * 1024 * 1024)?;
    let documents = posts + comments;
    // AGORA_BENCH_REUSE=1 measures queries on the index a previous run left in `dir`.
    if std::env::var_os("AGORA_BENCH_REUSE").is_none() || index.len() != documents as u64 {
        writer.clear()?;
        let started = Instant::now();
        for id in 1..=posts {
            writer.put(&doc(&mut rng, &words, Kind::Post, id, now))?;
        }
        for id in 1..=comments {
            writer.put(&doc(&mut rng, &words, Kind::Comment, id, now))?;
        }
        writer.commit(1)?;
        let took = started.elapsed();
        println!(
            "indexed {documents} documents ({posts} posts, {comments} comments) in {:.1} s: {:.0} documents/s",
            took.as_secs_f64(),
            documents as f64 / took.as_secs_f64()
        );
    }

    // A typical viewer: member of 3 of the 450 private communities.
    let hidden: Vec<i64> = (1..=COMMUNITIES).filter(|c| c % 10 == 0 && c % 300 != 0).collect();
    let mut mix_rng = StdRng::seed_from_u64(11);
    let queries: Vec<String> = (0..query_count())
        .map(|i| match i % 4 {
            0 => words[mix_rng.random_range(0..20)].clone(),
            1 => words[mix_rng.random_range(5_000..VOCABULARY)].clone(),
            2 => format!("\"{} {}\"", words[zipf(&mut mix_rng)], words[zipf(&mut mix_rng)]),
            _ => format!(
                "{} {} {}",
                words[zipf(&mut mix_rng)],
                words[zipf(&mut mix_rng)],
                words[zipf(&mut mix_rng)]
            ),
        })
        .collect();
    let mut samples = Vec::new();
    let mut by_class: Vec<Vec<Duration>> = vec![Vec::new(); 4];
    for (i, q) in queries.iter().enumerate() {
        let at = Instant::now();
        index.search(&SearchQuery { text: q, hidden: &hidden, limit: 20, ..SearchQuery::default() })?;
        samples.push(at.elapsed());
        by_class[i % 4].push(at.elapsed());
    }
    let (p50, p99) = percentiles(samples);
    println!("search, 1,000-query mix: p50 {:.2} ms, p99 {:.2} ms", ms(p50), ms(p99));
    for (name, samples) in
        ["a common word", "a rare word", "a two-word phrase", "three words"].iter().zip(by_class)
    {
        let (p50, p99) = percentiles(samples);
        println!("  {name:<18} p50 {:.2} ms, p99 {:.2} ms", ms(p50), ms(p99));
    }

    let mut samples = Vec::new();
    for q in queries.iter().take(200) {
        let at = Instant::now();
        index.experts(&ExpertQuery { text: q, hidden: &hidden, now })?;
        samples.push(at.elapsed());
    }
    let (p50, p99) = percentiles(samples);
    println!("expert search, 200 of the mix: p50 {:.2} ms, p99 {:.2} ms", ms(p50), ms(p99));

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let handle = WriterHandle::spawn(writer)?;
    let mut samples = Vec::new();
    runtime.block_on(async {
        for i in 0..200 {
            let id = documents + 1 + i;
            let mut fresh = doc(&mut rng, &words, Kind::Post, id, now);
            fresh.title = format!("nrtmarker{i} {}", fresh.title);
            let at = Instant::now();
            handle.put(fresh).await?;
            handle.commit(2 + i).await??;
            let found = index.search(&SearchQuery {
                text: &format!("nrtmarker{i}"),
                limit: 1,
                ..SearchQuery::default()
            })?;
            anyhow::ensure!(found.total == 1, "post {i} not searchable after its commit");
            samples.push(at.elapsed());
        }
        Ok(())
    })?;
    let (p50, p99) = percentiles(samples);
    println!(
        "new post → searchable (put, commit, reload, found), 200 posts: p50 {:.1} ms, p99 {:.1} ms",
        ms(p50),
        ms(p99)
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
