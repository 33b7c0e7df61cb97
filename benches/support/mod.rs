//! What every benchmark shares: timing a piece of work and printing its median and slowest run.

use std::time::{Duration, Instant};

/// Runs `work` once to warm up, then `runs` times, and prints the median and the slowest.
pub fn measure(name: &str, runs: usize, mut work: impl FnMut()) {
    work();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{name:<64} median {:>9.3} ms   slowest {:>9.3} ms   ({runs} runs)",
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0
    );
}

/// Seals the history rows a benchmark writes with a throwaway key, as `ohgov` seals them with its
/// key file: without a key no history row, and so no change, is written.
pub fn install_history_key() -> ohgov::history::HistoryKey {
    let key = ohgov::history::HistoryKey::generate(1);
    ohgov::history::install_key(key.clone()).expect("the history key installs");
    key
}
