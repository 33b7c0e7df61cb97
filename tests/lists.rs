//! Lists that scale, on both backends: the workforce table and the history searched, sorted by each
//! column both ways and paged fifty at a time in SQL, with every row on exactly one page; names
//! sorted by surname with titles left out; history reached to its oldest entry by paging and by
//! dates; and the migration's fill of `staff.sort_name` agreeing with the code's.

mod support;

use chrono::{Duration, NaiveDate, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use ohgov::db::schema::{history, staff};
use ohgov::db::{self, DbConnection, Direction, ProviderId, StaffId};
use ohgov::history::{Change, Entry};
use ohgov::workforce::import::{self, ImportKind};
use ohgov::workforce::store::{self, PeopleFilter, PeopleSort};
use support::{browser_signed_in, service, PASSWORD};

const STAFF_HEADER: &str = "staff_number,full_name,email,discipline,regulator,registration_number,registration_renewal,revalidation_due,last_appraisal,responsible_officer,start_date,leaving_date,fte";

/// 120 people, surnames `Surname000` to `Surname119` given in reverse, every third a "Dr", with a
/// mix of disciplines and of renewal and revalidation dates (some blank); and two Abbotts, where
/// only leaving the title out puts Dr Amy before Carl.
fn staff_file(today: NaiveDate) -> String {
    let mut file = format!("{STAFF_HEADER}\n");
    for i in 0..118 {
        let surname = format!("Surname{:03}", 119 - i);
        let title = if i % 3 == 0 { "Dr " } else { "" };
        let (discipline, regulator, number) = match i % 4 {
            0 => ("occupational_physician", "gmc", format!("{:07}", 2_000_000 + i)),
            1 => ("oh_nurse_scphn", "nmc", format!("{:02}A{:04}E", i % 100, i)),
            2 => ("physiotherapist", "hcpc", format!("PH{i:06}")),
            _ => ("administrator", "none", String::new()),
        };
        let renewal =
            if number.is_empty() { String::new() } else { (today + Duration::days(30 + (i * 37) % 300)).to_string() };
        let revalidation = if i % 4 < 2 && i % 5 != 0 {
            (today + Duration::days(60 + (i * 53) % 700)).to_string()
        } else {
            String::new()
        };
        file.push_str(&format!(
            "S{i:04},{title}Given{i:03} {surname},,{discipline},{regulator},{number},{renewal},{revalidation},{},,2020-01-01,,1\n",
            if i % 4 == 0 { today.to_string() } else { String::new() },
        ));
    }
    file.push_str("S0900,Dr Amy Abbott,,administrator,none,,,,,,2020-01-01,,1\n");
    file.push_str("S0901,Carl Abbott,,administrator,none,,,,,,2020-01-01,,1\n");
    file
}

fn import_staff(conn: &mut DbConnection, provider: ProviderId) {
    let today = Utc::now().date_naive();
    let prepared =
        import::prepare(conn, provider, ImportKind::Staff, staff_file(today).as_bytes(), today).unwrap().unwrap();
    let report = import::commit(conn, None, provider, &prepared, "test", &mut |_| {}).unwrap();
    assert_eq!(report.created, 120);
}

/// The names linked in the people table, in order.
fn names(page: &str) -> Vec<String> {
    let table = page.split("People and what needs attention</caption>").nth(1).unwrap_or("");
    let table = table.split("</table>").next().unwrap_or("");
    let link = regex::Regex::new(r#"/workforce/staff/\d+">([^<]+)</a>"#).unwrap();
    link.captures_iter(table).map(|c| c[1].to_string()).collect()
}

on_both_backends!(
    the_workforce_table_pages_by_fifty_sorted_by_surname_without_titles,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        import_staff(&mut app.db.conn(), s.provider);
        let (client, _) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let get = |path: String| {
            let client = client.clone();
            let url = format!("{}/providers/{}/workforce{path}", app.address, s.provider);
            async move {
                let response = client.get(url).send().await.unwrap();
                assert_eq!(response.status().as_u16(), 200, "{path}");
                response.text().await.unwrap()
            }
        };

        let first = get(String::new()).await;
        let listed = names(&first);
        assert_eq!(listed.len(), 50, "page 1 has 50");
        assert_eq!(
            &listed[..3],
            ["Dr Amy Abbott", "Carl Abbott", "Dr Given117 Surname002"],
            "surname first, title left out"
        );
        assert!(first.contains("Page 1 of 3: 1 to 50 of 120 people"), "the pager says where it is");
        assert!(first.contains(r#"aria-sort="ascending""#), "the sorted column says so");
        assert!(first.contains("rel=\"next\""));

        let third = get("?page=3".into()).await;
        let last = names(&third);
        assert_eq!(last.len(), 20, "page 3 has 20");
        assert_eq!(last.last().map(String::as_str), Some("Dr Given000 Surname119"));
        assert!(!third.contains("rel=\"next\""), "no page after the last");
        assert_eq!(names(&get("?page=999".into()).await), last, "a page past the end is the last");
        assert_eq!(names(&get("?page=x&sort=salary&dir=up".into()).await), listed, "nonsense falls back");

        let reversed = names(&get("?sort=name&dir=desc".into()).await);
        assert_eq!(reversed[0], "Dr Given000 Surname119");

        // A search narrows the list, keeps paging, and the pages keep the search.
        let found = get("?q=surname1".into()).await;
        assert!(found.contains("of 20 people"), "Surname100 to Surname119");
        assert_eq!(names(&found).len(), 20);
        let found = get("?q=GIVEN0&tier=clinical".into()).await;
        assert!(names(&found).iter().all(|n| n.contains("Given0")), "case does not matter");
        let nurses = get("?q=given&discipline=oh_nurse_scphn&sort=name&dir=desc".into()).await;
        assert!(nurses.contains("of 30 people"), "filters and search together");
        let column = regex::Regex::new(r#"href="([^"]*sort=revalidation[^"]*)""#).unwrap();
        let href = column.captures(&nurses).map(|c| c[1].replace("&amp;", "&")).unwrap_or_default();
        assert!(
            href.contains("q=given") && href.contains("discipline=oh_nurse_scphn"),
            "sorting keeps the filters: {href}"
        );
        let mut paged = Vec::new();
        for page in 1..=3 {
            paged.extend(names(&get(format!("?q=Given&page={page}")).await));
        }
        assert_eq!(paged.len(), 118, "every match on exactly one page");
        paged.sort();
        paged.dedup();
        assert_eq!(paged.len(), 118);
        let nobody = get("?q=%25_%25".into()).await;
        assert!(nobody.contains("No one matches"), "% and _ are taken literally");
    }
);

/// Every page of a sort, joined.
fn all_pages(
    conn: &mut DbConnection,
    provider: ProviderId,
    filter: &PeopleFilter,
    sort: PeopleSort,
    dir: Direction,
) -> Vec<store::StaffRecord> {
    let today = Utc::now().date_naive();
    let first = store::people_page(conn, provider, today, filter, sort, dir, 1).unwrap();
    let mut rows = first.rows;
    for page in 2..=first.pages {
        rows.extend(store::people_page(conn, provider, today, filter, sort, dir, page).unwrap().rows);
    }
    rows
}

on_both_backends!(
    each_column_sorts_both_ways_with_blanks_last_and_every_person_once,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        import_staff(&mut conn, s.provider);
        let ids: Vec<StaffId> = staff::table.select(staff::id).order(staff::id).load(&mut conn).unwrap();
        let counts = ids.iter().map(|id| (*id, usize::try_from(id.0 % 4).unwrap())).collect();
        let filter = PeopleFilter { issue_counts: counts, ..Default::default() };
        for sort in [
            PeopleSort::Name,
            PeopleSort::Discipline,
            PeopleSort::Registration,
            PeopleSort::Revalidation,
            PeopleSort::Attention,
        ] {
            for dir in [Direction::Ascending, Direction::Descending] {
                let rows = all_pages(&mut conn, s.provider, &filter, sort, dir);
                let mut seen: Vec<StaffId> = rows.iter().map(|r| r.id).collect();
                seen.sort();
                assert_eq!(seen, ids, "{sort:?} {dir:?}: everyone exactly once");
                // Each row's key, blanks as None (always last), compared in the sort's direction.
                let key = |r: &store::StaffRecord| -> Option<String> {
                    match sort {
                        PeopleSort::Name => Some(ohgov::workforce::rules::sort_name(&r.full_name)),
                        PeopleSort::Discipline => Some(r.discipline.label().to_lowercase()),
                        PeopleSort::Registration => r.registration_renewal.map(|d| d.to_string()),
                        PeopleSort::Revalidation => r.revalidation_due.map(|d| d.to_string()),
                        PeopleSort::Attention => Some(format!("{}", r.id.0 % 4)),
                    }
                };
                for pair in rows.windows(2) {
                    let (a, b) = (key(&pair[0]), key(&pair[1]));
                    let in_order = match (&a, &b) {
                        (Some(a), Some(b)) => {
                            if dir == Direction::Ascending {
                                a <= b
                            } else {
                                a >= b
                            }
                        }
                        (None, Some(_)) => false,
                        _ => true,
                    };
                    assert!(
                        in_order,
                        "{sort:?} {dir:?}: {} ({a:?}) before {} ({b:?})",
                        pair[0].full_name, pair[1].full_name
                    );
                }
            }
        }
    }
);

on_both_backends!(
    the_migration_fills_sort_names_as_the_code_writes_them,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let names = [
            "Dr Maya Osei",
            "  Prof Dr  Anil  Kumar ",
            "Mrs. Jo de Souza",
            "Dr Osei",
            "Osei",
            "Drew Barrymore",
            "MR MISSKA LEE",
            "Revd Ann O'Neill-Jones",
            "Sir Tom",
        ];
        for (n, name) in names.iter().enumerate() {
            diesel::insert_into(staff::table)
                .values((
                    staff::provider_id.eq(s.provider),
                    staff::staff_number.eq(format!("M{n}")),
                    staff::full_name.eq(*name),
                    staff::discipline.eq("administrator"),
                    staff::tier.eq("non_clinical"),
                    staff::tier_overridden.eq(false),
                    staff::regulator.eq("none"),
                    staff::practice_teacher.eq(false),
                    staff::created_at.eq(Utc::now().naive_utc()),
                    staff::updated_at.eq(Utc::now().naive_utc()),
                ))
                .execute(&mut conn)
                .unwrap();
        }
        // Run the migration's own files again over these rows, as over a database it upgrades.
        let dir = match db.backend {
            support::Backend::Sqlite => "sqlite",
            support::Backend::Postgres => "postgres",
        };
        let folder = format!("{}/migrations/{dir}/2026-12-06-000021_list_indexes", env!("CARGO_MANIFEST_DIR"));
        for file in ["down.sql", "up.sql"] {
            conn.batch_execute(&std::fs::read_to_string(format!("{folder}/{file}")).unwrap()).unwrap();
        }
        let filled: Vec<(String, String)> =
            staff::table.select((staff::full_name, staff::sort_name)).order(staff::id).load(&mut conn).unwrap();
        for (full_name, sort_name) in filled {
            assert_eq!(sort_name, ohgov::workforce::rules::sort_name(&full_name), "{full_name:?}");
        }
    }
);

/// 260 history entries for `provider`, the first recorded 259 days ago and one a day since.
fn long_history(conn: &mut DbConnection, provider: ProviderId) -> Vec<i32> {
    let ids: Vec<i32> = db::write_transaction(conn, |c| {
        (0..260)
            .map(|n| {
                ohgov::history::store::record(
                    c,
                    &Entry {
                        user_id: None,
                        organisation_id: Some(provider.0),
                        entity: if n % 2 == 0 { "staff" } else { "evidence" }.into(),
                        entity_id: format!("{}", 10_000 + n),
                        action: "update".into(),
                        changes: vec![Change {
                            field: "note".into(),
                            before: "".into(),
                            after: format!("entry {n}").into(),
                        }],
                    },
                )
            })
            .collect::<QueryResult<Vec<i32>>>()
    })
    .unwrap();
    // Spread over the days (the chain no longer verifies; these pages do not check it).
    let now = Utc::now().naive_utc();
    for (n, id) in ids.iter().enumerate() {
        let at = now - Duration::days(259 - i64::try_from(n).unwrap());
        diesel::update(history::table.find(id)).set(history::recorded_at.eq(at)).execute(conn).unwrap();
    }
    ids
}

on_both_backends!(
    history_reaches_its_oldest_entry_by_paging_and_by_dates,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        long_history(&mut app.db.conn(), s.provider);
        let all: i64 = history::table
            .filter(history::organisation_id.eq(s.provider.0))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap();
        assert!(all >= 260);
        let (client, _) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let get = |path: String| {
            let client = client.clone();
            let url = format!("{}/providers/{}/history{path}", app.address, s.provider);
            async move {
                let response = client.get(url).send().await.unwrap();
                (response.status().as_u16(), response.text().await.unwrap())
            }
        };
        let record = regex::Regex::new(r"(?:Person|Evidence number) (1\d{4})").unwrap();
        // Follow "Next page" from the first page to the last.
        let mut path = String::new();
        let mut seen = Vec::new();
        let next = regex::Regex::new(r#"href="([^"]*)" rel="next""#).unwrap();
        for _ in 0..20 {
            let (status, page) = get(path.clone()).await;
            assert_eq!(status, 200);
            seen.extend(record.captures_iter(&page).map(|c| c[1].to_string()));
            match next.captures(&page) {
                Some(link) => {
                    path = link[1]
                        .replace("&#x2F;", "/")
                        .replace("&amp;", "&")
                        .split_once("/history")
                        .map(|(_, rest)| rest.to_string())
                        .unwrap_or_default()
                }
                None => break,
            }
        }
        assert_eq!(seen.len(), 260, "every entry once");
        assert_eq!(seen.last().map(String::as_str), Some("10000"), "the oldest is on the last page");
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 260);

        // The oldest by its day, written the UK way and the ISO way.
        let oldest = (Utc::now() - Duration::days(259)).with_timezone(&chrono_tz::Europe::London).date_naive();
        let (status, page) = get(format!("?from={}&to={oldest}", oldest.format("%d/%m/%Y"))).await;
        assert_eq!(status, 200);
        let found: Vec<String> = record.captures_iter(&page).map(|c| c[1].to_string()).collect();
        assert!(found.contains(&"10000".to_string()) && found.len() <= 2, "{found:?}");
        assert!(page.contains("1 entry") || page.contains("Page 1 of 1: 1 to 2 of 2"), "one page");

        // Kind and search keep working with the pages; sorting by record runs through every entry.
        let (_, staff_only) = get("?entity=staff&page=2".into()).await;
        assert!(staff_only.contains("Page 2 of 3") && !staff_only.contains("evidence 1"), "130 staff entries");
        let (_, searched) = get("?q=ENTRY%20259".into()).await;
        assert_eq!(record.captures_iter(&searched).count(), 1);
        let (_, by_record) = get("?sort=record&dir=asc&page=6".into()).await;
        assert!(by_record.contains(r#"aria-sort="ascending""#));

        // A date that cannot be read is said at its field, not a failure.
        let (status, page) = get("?from=31/02/2026&entity=staff".into()).await;
        assert_eq!(status, 422);
        assert!(page.contains("There is a problem") && page.contains(r#"id="from-error""#), "{page}");
        let (status, page) = get("?from=2026-06-02&to=2026-06-01".into()).await;
        assert_eq!(status, 422);
        assert!(page.contains("The end date must be the same as or after the start date"));
    }
);

on_both_backends!(
    the_evidence_library_pages_searches_and_keeps_its_review_filter,
    app | app | {
        use ohgov::evidence::model::{EvidenceDetails, EvidenceKind};
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let mut conn = app.db.conn();
        let today = support::today();
        for n in 0..60 {
            let details = EvidenceDetails {
                kind: EvidenceKind::Note,
                title: format!("Policy {n:02}"),
                description: "Kept by the service".into(),
                owner_user_id: None,
                effective_on: None,
                review_due: Some(if n % 3 == 0 { today - Duration::days(1) } else { today + Duration::days(400) }),
                contains_patient_data: false,
                link_url: None,
                standards: vec![],
                document_kind: None,
            };
            ohgov::evidence::store::add(&mut conn, None, s.provider, None, &details, None).unwrap();
        }
        let (client, _) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let get = |path: &str| {
            let (client, url) = (client.clone(), format!("{}/providers/{}/evidence{path}", app.address, s.provider));
            async move {
                let response = client.get(url).send().await.unwrap();
                assert_eq!(response.status().as_u16(), 200);
                response.text().await.unwrap()
            }
        };
        let titles = |page: &str| -> Vec<String> {
            let link = regex::Regex::new(r#"/evidence/\d+">(Policy \d+)</a>"#).unwrap();
            link.captures_iter(page).map(|c| c[1].to_string()).collect()
        };
        let first = get("").await;
        assert_eq!(titles(&first).len(), 50);
        assert_eq!(titles(&first)[0], "Policy 59", "newest first, as before");
        assert!(first.contains("Page 1 of 2: 1 to 50 of 60 items"));
        assert_eq!(titles(&get("?page=2").await).len(), 10);
        let overdue = get("?review=overdue").await;
        assert!(overdue.contains("of 20 items") || titles(&overdue).len() == 20, "the review filter still works");
        assert_eq!(titles(&overdue).len(), 20);
        let narrowed = titles(&get("?review=overdue&q=policy%200&sort=title&dir=asc").await);
        assert_eq!(
            narrowed,
            ["Policy 00", "Policy 03", "Policy 06", "Policy 09"],
            "search within the filter, by title"
        );
    }
);
