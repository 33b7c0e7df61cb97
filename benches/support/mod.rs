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
