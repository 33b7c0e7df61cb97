//! Row ids that must not be mixed up. A provider's id, a user's and a person's on the staff list
//! are all database integers; as bare `i32`s, `staff_member(conn, staff_id, provider_id)` compiles
//! and finds nobody. As these types it does not compile. Each is the integer itself in the database
//! (diesel `Integer` on both backends), in JSON and in URLs (serde transparent), so nothing a user
//! sees changes.

use diesel::sql_types::Integer;

/// Declares an id type: the newtype, its diesel conversions on SQLite, PostgreSQL and the
/// `MultiConnection` backend (as `vocabulary!` does for codes), `Display` as the bare number for
/// URLs and messages, and `FromStr`.
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = Integer)]
        pub struct $name(pub i32);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.parse().map($name)
            }
        }

        impl diesel::deserialize::FromSql<Integer, diesel::sqlite::Sqlite> for $name {
            fn from_sql(value: diesel::sqlite::SqliteValue<'_, '_, '_>) -> diesel::deserialize::Result<Self> {
                <i32 as diesel::deserialize::FromSql<Integer, diesel::sqlite::Sqlite>>::from_sql(value).map($name)
            }
        }

        impl diesel::deserialize::FromSql<Integer, diesel::pg::Pg> for $name {
            fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                <i32 as diesel::deserialize::FromSql<Integer, diesel::pg::Pg>>::from_sql(value).map($name)
            }
        }

        impl diesel::deserialize::FromSql<Integer, super::MultiBackend> for $name {
            fn from_sql(
                value: <super::MultiBackend as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                value.from_sql::<Self, Integer>()
            }
        }

        impl diesel::serialize::ToSql<Integer, diesel::sqlite::Sqlite> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> diesel::serialize::Result {
                <i32 as diesel::serialize::ToSql<Integer, diesel::sqlite::Sqlite>>::to_sql(&self.0, out)
            }
        }

        impl diesel::serialize::ToSql<Integer, diesel::pg::Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>) -> diesel::serialize::Result {
                <i32 as diesel::serialize::ToSql<Integer, diesel::pg::Pg>>::to_sql(&self.0, out)
            }
        }

        impl diesel::serialize::ToSql<Integer, super::MultiBackend> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, super::MultiBackend>,
            ) -> diesel::serialize::Result {
                out.set_value((Integer, &self.0));
                Ok(diesel::serialize::IsNull::No)
            }
        }
    };
}

id_type! {
    /// An organisation that is a provider (an OH service): `organisations.id` where the kind is
    /// provider, and every `provider_id` column.
    ProviderId
}

id_type! {
    /// Someone who signs in: `users.id`, and the columns that say who did something.
    UserId
}

id_type! {
    /// A person on a provider's staff list: `staff.id`. Not a user: most staff never sign in.
    StaffId
}
