//! Closed lists and ids stay typed down to the database, on both backends: a `vocabulary!` value
//! or an id is written and read back as itself, and a stored code outside its list is an error that
//! names the table, the row and the value, never a silent default.

mod support;

use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use ohgov::db::codes::{self, UnknownCode};
use ohgov::db::schema::staff;
use ohgov::db::ProviderId;
use ohgov::workforce::model::{Discipline, Regulator, SpecialistRoute, Tier};
use support::service;

on_both_backends!(
    a_vocabulary_value_round_trips,
    catalogue_db | db | {
        let mut conn = db.migrated();
        for regulator in Regulator::ALL {
            let back: Regulator = diesel::select(regulator.into_sql::<Text>()).get_result(&mut conn).unwrap();
            assert_eq!(back, *regulator);
        }
        let none: Option<SpecialistRoute> =
            diesel::select(None::<SpecialistRoute>.into_sql::<Nullable<Text>>()).get_result(&mut conn).unwrap();
        assert_eq!(none, None, "NULL reads as None");

        // In a table: written by value, filtered by value, read back typed.
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let now = chrono::Utc::now().naive_utc();
        diesel::insert_into(staff::table)
            .values((
                staff::provider_id.eq(s.provider),
                staff::staff_number.eq("D100"),
                staff::full_name.eq("Dr Maya Osei"),
                staff::discipline.eq(Discipline::ConsultantOccupationalPhysician),
                staff::tier.eq(Tier::Specialist),
                staff::tier_overridden.eq(false),
                staff::regulator.eq(Regulator::Gmc),
                staff::specialist_route.eq(Some(SpecialistRoute::Cct)),
                staff::practice_teacher.eq(false),
                staff::created_at.eq(now),
                staff::updated_at.eq(now),
            ))
            .execute(&mut conn)
            .unwrap();
        let row: (Discipline, Tier, Regulator, Option<SpecialistRoute>) = staff::table
            .filter(staff::regulator.eq(Regulator::Gmc))
            .filter(staff::tier.eq_any([Tier::Specialist, Tier::Clinical]))
            .select((staff::discipline, staff::tier, staff::regulator, staff::specialist_route))
            .first(&mut conn)
            .unwrap();
        assert_eq!(
            row,
            (Discipline::ConsultantOccupationalPhysician, Tier::Specialist, Regulator::Gmc, Some(SpecialistRoute::Cct))
        );
        let stored: String = staff::table.select(staff::regulator).first(&mut conn).unwrap();
        assert_eq!(stored, "gmc", "the code is what is stored");
    }
);

on_both_backends!(
    a_code_outside_the_list_fails_the_read_with_the_list_and_the_value,
    db | db | {
        let mut conn = db.migrated();
        let error = diesel::select(diesel::dsl::sql::<Text>("'gmx'")).get_result::<Regulator>(&mut conn).unwrap_err();
        let code = codes::unknown_code(&error).expect("the error is an unknown code");
        assert_eq!(
            code,
            &UnknownCode {
                list: "regulator",
                value: "gmx".into(),
                codes: Regulator::CODES,
                stored_in: Regulator::STORED_IN,
            }
        );
        assert_eq!(Regulator::STORED_IN[0].table, "staff");
        assert_eq!(Regulator::STORED_IN[0].key, "id");
        assert_eq!(Regulator::STORED_IN[0].column, "regulator");
        assert!(codes::explain(&mut conn, &error).is_none(), "no stored row holds it: nothing to name");
    }
);

/// A person with a regulator outside the list, written past any CHECK constraint: what a
/// hand-edited database or a bad restore leaves. Returns the person's id.
fn person_with_unknown_regulator(
    db: &support::TestDb,
    conn: &mut ohgov::db::DbConnection,
    provider: ProviderId,
) -> i32 {
    let now = chrono::Utc::now().naive_utc();
    diesel::insert_into(staff::table)
        .values((
            staff::provider_id.eq(provider),
            staff::staff_number.eq("D100"),
            staff::full_name.eq("Dr Maya Osei"),
            staff::discipline.eq(Discipline::ConsultantOccupationalPhysician),
            staff::tier.eq(Tier::Specialist),
            staff::tier_overridden.eq(false),
            staff::regulator.eq(Regulator::Gmc),
            staff::registration_number.eq("7654321"),
            // Lapsed a month ago: with its regulator read, a registration issue.
            staff::registration_renewal.eq(support::today() - chrono::Duration::days(30)),
            staff::practice_teacher.eq(false),
            staff::created_at.eq(now),
            staff::updated_at.eq(now),
        ))
        .execute(conn)
        .unwrap();
    let id = ohgov::db::last_insert_id(conn).unwrap();
    let update = format!("UPDATE staff SET regulator = 'gmx' WHERE id = {id}");
    // Whether or not the closed-list CHECK constraints exist, the bad value goes in.
    let sql = match db.backend {
        support::Backend::Sqlite => {
            format!("PRAGMA ignore_check_constraints = ON; {update}; PRAGMA ignore_check_constraints = OFF;")
        }
        support::Backend::Postgres => {
            format!("ALTER TABLE staff DROP CONSTRAINT IF EXISTS staff_regulator_check; {update};")
        }
    };
    use diesel::connection::SimpleConnection;
    conn.batch_execute(&sql).unwrap();
    id
}

on_both_backends!(
    an_unknown_regulator_is_an_error_naming_the_table_row_and_value_not_an_all_clear,
    app | app | {
        let mut conn = app.db.conn();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let id = person_with_unknown_regulator(&app.db, &mut conn, s.provider);

        // (a) The store fails: no report, so no false "all clear".
        let error = ohgov::workforce::store::workforce(&mut conn, s.provider, support::today(), 90)
            .expect_err("an unknown regulator fails the read");
        let found = codes::explain(&mut conn, &error).expect("the failure is traced to its rows");
        assert_eq!(
            found.rows,
            vec![codes::BadRow {
                table: "staff",
                key: "id",
                column: "regulator",
                id: id.to_string(),
                value: "gmx".into(),
            }]
        );
        let message = found.to_string();
        for part in ["table staff", &format!("row id = {id}"), "regulator is \"gmx\"", "gmc, nmc, hcpc, none"] {
            assert!(message.contains(part), "{message:?} names {part:?}");
        }
        // The command line says the same.
        let said = ohgov::cli::traced(Some(app.db.url.clone()), anyhow::Error::from(error)).to_string();
        assert_eq!(said, message);

        // (b) The page fails too, rather than showing nobody with an issue.
        let (browser, _) = support::browser_signed_in(&app, "manager@northshire.example", support::PASSWORD).await;
        let page = browser.get(format!("{}/providers/{}/workforce", app.address, s.provider)).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 500);
        let person =
            browser.get(format!("{}/providers/{}/workforce/staff/{id}", app.address, s.provider)).send().await.unwrap();
        assert_eq!(person.status().as_u16(), 500);
    }
);

on_both_backends!(
    ids_round_trip_as_the_plain_integers_they_are,
    catalogue_db | db | {
        use diesel::sql_types::Integer;
        use ohgov::db::{StaffId, UserId};
        let mut conn = db.migrated();
        let back: StaffId = diesel::select(StaffId(41).into_sql::<Integer>()).get_result(&mut conn).unwrap();
        assert_eq!(back, StaffId(41));
        let none: Option<UserId> =
            diesel::select(None::<UserId>.into_sql::<Nullable<Integer>>()).get_result(&mut conn).unwrap();
        assert_eq!(none, None);
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let stored: i32 = ohgov::db::schema::organisations::table
            .filter(ohgov::db::schema::organisations::id.eq(s.provider))
            .select(ohgov::db::schema::organisations::id)
            .first(&mut conn)
            .unwrap();
        assert_eq!(ProviderId(stored), s.provider);
        // JSON and URLs carry the number itself.
        assert_eq!(serde_json::to_string(&s.provider).unwrap(), stored.to_string());
        assert_eq!(serde_json::from_str::<ProviderId>(&stored.to_string()).unwrap(), s.provider);
        assert_eq!(format!("/providers/{}", s.provider), format!("/providers/{stored}"));
    }
);
