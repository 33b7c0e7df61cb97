//! Organisations and contracts from the command line: the exact output forms other scripts rely on,
//! the messages for bad input, and that a refused command writes nothing.

mod support;

use diesel::prelude::*;
use ohgov::db::schema::{contracts, history, organisations};
use support::TestDb;

struct Ran {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn ohgov(db: &TestDb, args: &[&str]) -> Ran {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
        .args(args)
        .args(["--database-url", &db.url])
        .env_remove("DATABASE_URL")
        .output()
        .expect("run ohgov");
    Ran {
        ok: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn counts(db: &TestDb) -> (i64, i64, i64) {
    let mut conn = db.migrated();
    (
        organisations::table.count().get_result(&mut conn).unwrap(),
        contracts::table.count().get_result(&mut conn).unwrap(),
        history::table.count().get_result(&mut conn).unwrap(),
    )
}

on_both_backends!(
    org_and_contract_add_print_ids_alone_and_leave_history,
    db | db | {
        let provider =
            ohgov(&db, &["org", "add", "--kind", "provider", "--name", "Northshire OH Service", "--code", "rx1"]);
        assert!(provider.ok, "{}", provider.stderr);
        let provider_id: i32 = provider.stdout.trim_end_matches('\n').parse().expect("the id, alone, on stdout");
        assert_eq!(provider.stdout, format!("{provider_id}\n"));
        let trust =
            ohgov(&db, &["org", "add", "--kind", "commissioner", "--name", "Northshire Teaching Hospitals NHS Trust"]);
        let trust_id: i32 = trust.stdout.trim().parse().expect("the id, alone, on stdout");

        let contract = ohgov(
            &db,
            &[
                "contract",
                "add",
                "--commissioner",
                &trust_id.to_string(),
                "--provider",
                &provider_id.to_string(),
                "--start",
                "2026-04-01",
                "--end",
                "2027-03-31",
                "--services",
                "PREV,TIME",
            ],
        );
        assert!(contract.ok, "{}", contract.stderr);
        let contract_id: i32 = contract.stdout.trim().parse().expect("the contract id on stdout");

        let mut conn = db.migrated();
        let code: Option<String> =
            organisations::table.find(provider_id).select(organisations::code).first(&mut conn).unwrap();
        assert_eq!(code.as_deref(), Some("RX1"));
        let (start, end, services): (chrono::NaiveDate, Option<chrono::NaiveDate>, String) = contracts::table
            .find(contract_id)
            .select((contracts::starts_on, contracts::ends_on, contracts::services))
            .first(&mut conn)
            .unwrap();
        assert_eq!(start.to_string(), "2026-04-01");
        assert_eq!(end.map(|d| d.to_string()).as_deref(), Some("2027-03-31"));
        assert_eq!(services, r#"["PREV","TIME"]"#);

        // Six catalogue loads, two organisations and one contract, in one intact chain.
        let entities: Vec<String> = history::table.select(history::entity).order(history::id).load(&mut conn).unwrap();
        assert_eq!(entities[6..], ["organisation", "organisation", "contract"]);
        let verified = ohgov(&db, &["verify-log"]);
        assert!(verified.ok && verified.stdout.starts_with("history intact: 9 rows"), "{}", verified.stdout);
    }
);

on_both_backends!(
    bad_organisations_are_refused_at_the_field_and_write_nothing,
    db | db | {
        // Prepare the database (migrations, catalogue) so only the refused rows could change counts.
        ohgov(&db, &["catalogue", "load"]);
        let before = counts(&db);
        for (args, field, message) in [
            (vec!["--kind", "provider", "--name", "   "], "name", "Enter the organisation's name"),
            (vec!["--kind", "hospital", "--name", "X"], "kind", "Choose provider or commissioner"),
            (
                vec!["--kind", "provider", "--name", "X", "--code", "RX-1"],
                "code",
                "The code may hold only letters and digits",
            ),
            (vec!["--kind", "provider", "--name", "X", "--type", "icb"], "organisation_type", "Choose one of"),
        ] {
            let ran = ohgov(&db, &[vec!["org", "add"], args].concat());
            assert!(!ran.ok, "refused");
            assert!(ran.stdout.is_empty(), "no id printed");
            assert!(ran.stderr.contains(&format!("{field}: {message}")), "{}", ran.stderr);
        }
        assert_eq!(counts(&db), before, "nothing was written");
    }
);

on_both_backends!(
    bad_contracts_are_refused_and_write_nothing,
    db | db | {
        let provider = ohgov(&db, &["org", "add", "--kind", "provider", "--name", "P"]).stdout.trim().to_string();
        let trust = ohgov(&db, &["org", "add", "--kind", "commissioner", "--name", "T"]).stdout.trim().to_string();
        let before = counts(&db);
        for (args, message) in [
            (
                vec!["--commissioner", &trust, "--provider", &provider, "--start", "2026-04-01", "--end", "2026-03-31"],
                "ends_on: The end date must be the same as or after the start date",
            ),
            (vec!["--commissioner", &provider, "--provider", &trust, "--start", "2026-04-01"], "is not a commissioner"),
            (
                vec!["--commissioner", &trust, "--provider", "9999", "--start", "2026-04-01"],
                "Organisation 9999 is not a provider",
            ),
            (
                vec!["--commissioner", &trust, "--provider", &provider, "--start", "1 April"],
                "start: \"1 April\" is not a date",
            ),
            (
                vec![
                    "--commissioner",
                    &trust,
                    "--provider",
                    &provider,
                    "--start",
                    "2026-04-01",
                    "--services",
                    "PREV,SPA",
                ],
                "services: Not core services: SPA",
            ),
        ] {
            let ran = ohgov(&db, &[vec!["contract", "add"], args].concat());
            assert!(!ran.ok, "refused: {message}");
            assert!(ran.stderr.contains(message), "{}", ran.stderr);
        }
        assert_eq!(counts(&db), before, "nothing was written");
    }
);
