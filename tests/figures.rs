//! Figures that agree with their lists: every linked figure on the readiness, workforce and
//! coverage pages is followed, and the rows of the list it opens are counted; on both backends.

mod support;

use chrono::{Duration, NaiveDate};
use ohgov::assessment::model::{AssessmentInput, FindingInput, FindingSource};
use ohgov::assessment::store;
use ohgov::coverage::model::{CoverageInput, CoverageKind};
use ohgov::db::{DbConnection, ProviderId, UserId};
use ohgov::evidence::model::{check_upload, EvidenceInput};
use ohgov::workforce::import::{self, ImportKind};
use support::{browser_signed_in, service, TestApp, PASSWORD};

fn assess(conn: &mut DbConnection, by: UserId, provider: ProviderId, reference: &str, workflow: &str, result: &str) {
    let input = AssessmentInput {
        workflow: workflow.into(),
        result: result.into(),
        narrative: format!("How the service meets {reference}"),
        ..Default::default()
    };
    store::save_assessment(conn, Some(by), provider, reference, &input.parse().unwrap(), support::today())
        .unwrap_or_else(|e| panic!("{reference} is a standard of the framework: {e}"));
}

fn evidence(conn: &mut DbConnection, provider: ProviderId, title: &str, standards: &[&str], review_due: NaiveDate) {
    let details = EvidenceInput {
        kind: "file".into(),
        title: title.into(),
        review_due: review_due.to_string(),
        standards: standards.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let upload = check_upload(format!("{title}\n").into_bytes(), "evidence.txt", 1 << 20).unwrap();
    let framework = support::framework(conn, provider);
    ohgov::evidence::store::add(conn, None, provider, framework, &details, Some(&upload)).unwrap();
}

fn finding(conn: &mut DbConnection, by: UserId, provider: ProviderId, reference: &str) -> i32 {
    let input = FindingInput {
        grade: "minor_nonconformity".into(),
        description: "Two of ten case notes lacked a consent record".into(),
        action_needed: "Re-audit consent recording in three months".into(),
        raised_on: (support::today() - Duration::days(30)).to_string(),
    };
    let finding = input.parse(support::today()).unwrap();
    store::record_finding(conn, Some(by), provider, reference, FindingSource::InternalAudit, &finding).unwrap()
}

const STAFF: &str = "staff_number,full_name,email,discipline,regulator,registration_number,registration_renewal,revalidation_due,last_appraisal,responsible_officer,start_date,leaving_date,fte\n\
    D100,Dr Maya Osei,,consultant_occupational_physician,gmc,7654321,2027-03-31,2029-06-30,2026-02-01,Dr K Patel,2019-09-01,,1\n\
    N200,Grace Okafor,,oh_nurse_scphn,nmc,12A3456E,2027-03-31,2027-08-31,,,2021-01-04,,0.8\n\
    P300,Sam Reid,,physiotherapist,hcpc,PH123456,2020-03-31,,,,2022-05-01,,0.6\n\
    C400,Jo Bell,,non_clinical_case_worker,none,,,,,,2023-02-01,,1\n\
    A500,Alex Kerr,,administrator,,,,,,,2020-10-01,,0.5\n";

/// A service with something behind every figure: "must" standards not met, partly met and met
/// without evidence in date, evidence past and near its review, findings open and closed,
/// requests open and accepted, people with issues, and coverage in every state.
fn a_service_with_something_in_every_figure(conn: &mut DbConnection) -> support::Service {
    let s = service(conn, "Northshire OH Service", "northshire");
    let (p, m, today) = (s.provider, s.manager, support::today());
    // GF3, GF5 and RP1 are "must" standards; GF4 is a "should".
    assess(conn, m, p, "GF3", "in_progress", "not_met");
    assess(conn, m, p, "GF5", "in_review", "not_met");
    assess(conn, m, p, "RP1", "in_review", "partly_met");
    assess(conn, m, p, "GF4", "done", "met");
    evidence(conn, p, "Consent policy", &["GF3"], today - Duration::days(3));
    evidence(conn, p, "Governance minutes", &["GF5"], today + Duration::days(20));
    finding(conn, m, p, "GF3");
    let closed = finding(conn, m, p, "GF5");
    store::close_finding(conn, Some(m), p, closed, today).unwrap();
    store::raise_request(conn, Some(s.assessor), p, Some("GF1"), "The last two consent audits").unwrap();
    let done = store::raise_request(conn, Some(s.assessor), p, None, "The business plan").unwrap();
    store::answer_request(conn, Some(m), p, done, "See the plan on the intranet", &[]).unwrap();
    store::decide_request(conn, Some(s.assessor), p, done, true, "").unwrap();

    let prepared = import::prepare(conn, p, ImportKind::Staff, STAFF.as_bytes(), today).unwrap().unwrap();
    import::commit(conn, None, p, &prepared, "test", &mut |_| {}).unwrap();

    let mut cover = |reference: &str, kind: CoverageKind, input: CoverageInput| {
        ohgov::coverage::store::save(conn, None, p, reference, &input.parse(kind).unwrap(), today).unwrap();
    };
    let arrangement = |ends_on: NaiveDate| CoverageInput {
        delivery: "arrangement".into(),
        partner_name: "Northshire Physiotherapy Partners LLP".into(),
        starts_on: (today - Duration::days(400)).to_string(),
        ends_on: ends_on.to_string(),
        ..Default::default()
    };
    let in_house =
        CoverageInput { delivery: "in_house".into(), lead_name: "Grace Okafor".into(), ..Default::default() };
    cover("PREV", CoverageKind::CoreService, in_house);
    cover("REHAB", CoverageKind::CoreService, arrangement(today + Duration::days(30)));
    cover("TIME", CoverageKind::CoreService, arrangement(today + Duration::days(300)));
    cover("TB", CoverageKind::Subspecialism, arrangement(today - Duration::days(1)));
    s
}

/// Each linked figure of a page: where it links and the number it shows.
fn linked_figures(page: &str) -> Vec<(String, String)> {
    page.split("<li class=\"figure")
        .skip(1)
        .filter_map(|item| {
            let item = &item[..item.find("</li>").unwrap_or(item.len())];
            let href = item.split("<a href=\"").nth(1)?.split('"').next()?.replace("&amp;", "&").replace("&#x2F;", "/");
            let number = item.split("figure__number\">").nth(1)?.split('<').next()?.trim().to_string();
            Some((href, number))
        })
        .collect()
}

/// The rows of the list after `marker` (the page's heading, or the heading of its list), up to
/// the next second-level heading; none when that part of the page has no table.
fn rows_after(page: &str, marker: &str) -> usize {
    let Some(start) = page.find(marker) else { panic!("{marker} is on the page") };
    let part = &page[start + marker.len()..];
    let part = &part[..part.find("<h2").unwrap_or(part.len())];
    match (part.find("<tbody"), part.find("</tbody>")) {
        (Some(from), Some(to)) => part[from..to].matches("<tr").count(),
        _ => 0,
    }
}

async fn text(client: &reqwest::Client, url: &str) -> String {
    let response = client.get(url).send().await.unwrap_or_else(|e| panic!("{url}: {e}"));
    assert_eq!(response.status().as_u16(), 200, "{url}");
    response.text().await.unwrap()
}

/// Follows every linked figure on `page` and checks the list it opens has as many rows.
async fn every_figure_equals_its_list(app: &TestApp, client: &reqwest::Client, page: &str, expected_figures: usize) {
    let html = text(client, &format!("{}{page}", app.address)).await;
    let figures = linked_figures(&html);
    assert_eq!(figures.len(), expected_figures, "the linked figures of {page}: {figures:?}");
    let mut nonzero = 0;
    for (href, number) in figures {
        let list = text(client, &format!("{}{href}", app.address)).await;
        let marker = if href.contains("/workforce?") { "id=\"people\"" } else { "</h1>" };
        let rows = rows_after(&list, marker);
        assert_eq!(number, rows.to_string(), "{page}: the figure linking to {href} says {number}, its list has {rows}");
        nonzero += usize::from(rows > 0);
    }
    assert!(nonzero >= 3, "{page}: the test data puts something behind most figures ({nonzero})");
}

on_both_backends!(
    every_figure_on_the_readiness_workforce_and_coverage_pages_equals_the_list_it_opens,
    app | app | {
        let s = a_service_with_something_in_every_figure(&mut app.db.migrated());
        let (client, _) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let p = s.provider;
        // Eight figures and the standards marked met that the records contradict.
        every_figure_equals_its_list(&app, &client, &format!("/providers/{p}/assessment"), 9).await;
        // One figure per tier, the supervision figure, and one per issue.
        let tiers = ohgov::workforce::model::Tier::ALL.len();
        let issues = ohgov::workforce::rules::Issue::ALL.len();
        every_figure_equals_its_list(&app, &client, &format!("/providers/{p}/workforce"), tiers + 1 + issues).await;
        every_figure_equals_its_list(&app, &client, &format!("/providers/{p}/coverage"), 5).await;
    }
);

on_both_backends!(
    the_must_figure_says_what_it_counts,
    app | app | {
        let s = a_service_with_something_in_every_figure(&mut app.db.migrated());
        let (client, _) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let html = text(&client, &format!("{}/providers/{}/assessment", app.address, s.provider)).await;
        let (_, number) = linked_figures(&html).into_iter().find(|(h, _)| h.ends_with("show=must_not_met")).unwrap();
        let figure = html.split("show=must_not_met\"").nth(1).unwrap().split("</a>").next().unwrap();
        let total: usize = number.parse().unwrap();
        let not_assessed = total - 3;
        let said = format!("“must” standards not yet met: 2 not met, 1 partly met, {not_assessed} not assessed");
        assert!(figure.contains(&said), "{figure}");
    }
);
