//! Closed lists stay typed down to the database, on both backends: a `vocabulary!` value is
//! written and read back as itself, and a stored code outside its list is an error that names the
//! table, the row and the value, never a silent default.

mod support;

use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use ohgov::db::codes::{self, UnknownCode};
use ohgov::db::schema::staff;
use ohgov::workforce::model::{Discipline, Regulator, SpecialistRoute, Tier};
use support::service;

on_both_backends!(
    a_vocabulary_value_round_trips,
    db | db | {
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
