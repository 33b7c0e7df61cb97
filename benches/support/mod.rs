//! What every benchmark shares: timing a piece of work and printing its median and slowest run.
// Each bench binary compiles this module and uses a part of it.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// Runs `work` once to warm up, then `runs` times, and prints the median and the slowest.
pub fn measure(name: &str, runs: usize, mut work: impl FnMut()) {
    work();
    let times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    report(name, times);
}

/// Prints the median and the slowest of `times` (work timed by the caller, such as requests
/// awaited one after another).
pub fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let runs = times.len();
    println!(
        "{name:<64} median {:>9.3} ms   slowest {:>9.3} ms   ({runs} runs)",
        times[runs / 2].as_secs_f64() * 1000.0,
        times[runs - 1].as_secs_f64() * 1000.0
    );
}

/// Monthly values for every KPI from `first` for `months` months, varied so that some miss their
/// target; written as one import. Returns how many were written.
pub fn monthly_kpi_values(
    conn: &mut ohgov::db::DbConnection,
    provider: ohgov::db::ProviderId,
    first: chrono::NaiveDate,
    months: u32,
) -> usize {
    use ohgov::quality::rules::{self, Figure, Period};
    let kpis = ohgov::quality::store::definitions(conn, provider).expect("KPI definitions");
    let mut rows = Vec::new();
    for (k, kpi) in kpis.iter().enumerate() {
        let (low, high) = rules::range(kpi.unit);
        for i in 0..months {
            let month = first.checked_add_months(chrono::Months::new(i)).expect("a month");
            let period = Period::month(month).expect("a month's period");
            let swing = f64::from((i * 7 + k as u32 * 3) % 11) - 5.0;
            let value = (kpi.target + swing).clamp(low, high);
            let figure = if kpi.unit == ohgov::catalogue::model::KpiUnit::Percent {
                let numerator = value.round() as u32;
                Figure { numerator: Some(numerator), denominator: Some(100), value: rules::rate(numerator, 100) }
            } else {
                Figure { numerator: None, denominator: None, value }
            };
            let value = ohgov::quality::model::NewValue { period, figure };
            rows.push(ohgov::quality::import::Row { line: 0, kpi: kpi.clone(), value });
        }
    }
    ohgov::quality::import::commit(conn, None, provider, &rows, "bench").expect("values written").created
}

/// Seals the history rows a benchmark writes with a throwaway key, as `ohgov` seals them with its
/// key file: without a key no history row, and so no change, is written.
pub fn install_history_key() -> ohgov::history::HistoryKey {
    let key = ohgov::history::HistoryKey::generate(1);
    ohgov::history::install_key(key.clone()).expect("the history key installs");
    key
}
