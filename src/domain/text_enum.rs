//! Enums stored as text in the database and spelled the same way in JSON and on the command line.

/// Declares an enum whose variants have one lowercase spelling everywhere, with `as_str`,
/// `FromStr` (the error lists the accepted values), `Display`, serde and OpenAPI schema.
///
/// The spellings are taken as `tt`, not `literal`: a `literal` fragment reaches derive macros
/// wrapped in an invisible group, which utoipa's reading of `#[serde(rename = ...)]` does not
/// look into, so the OpenAPI schema listed the Rust variant names instead of the served words.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident ($what:literal) { $($(#[$vmeta:meta])* $variant:ident => $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, utoipa::ToSchema,
                 diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
                $(if wanted == $text.replace('-', "_") { return Ok($name::$variant); })+
                Err($crate::domain::UnknownValue {
                    what: $what,
                    given: s.to_string(),
                    accepted: &[$($text),+],
                })
            }
        }

        // JSON accepts what the command line accepts (any case, - for _), with the same message.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        // Rows carry the enum itself, stored as its spelling. These are trait impls for diesel's
        // (de)serialisation of a column value, generic over the backend, not I/O: they keep the
        // domain pure while letting the store read and write typed rows on SQLite, PostgreSQL
        // and the multi-backend connection alike. A stored word no variant spells is an error
        // (the CHECK constraints keep such words out of the database in the first place).
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.as_str(), out)
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, DB>>::from_sql(bytes)?;
                match text.as_str() {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("the stored {} \"{other}\" is not one foitrack knows", $what).into()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;
    use utoipa::openapi::{RefOr, Schema};

    /// The spellings the OpenAPI schema of a text enum lists.
    fn schema_words(schema: RefOr<Schema>) -> Vec<String> {
        match schema {
            RefOr::T(Schema::Object(object)) => object
                .enum_values
                .expect("a text enum's schema lists its values")
                .into_iter()
                .map(|v| v.as_str().expect("the values are strings").to_string())
                .collect(),
            _ => panic!("a text enum's schema is a string object"),
        }
    }

    // Generated clients trust the schema: it must list exactly the words served and accepted.
    macro_rules! assert_schema_spells {
        ($($ty:ty),+) => {$(
            let served: Vec<String> = <$ty>::ALL.iter().map(|v| v.as_str().to_string()).collect();
            assert_eq!(schema_words(<$ty>::schema()), served, "schema of {}", stringify!($ty));
        )+};
    }

    #[test]
    fn every_text_enum_schema_lists_the_served_spellings() {
        use crate::domain::event::EventKind;
        use crate::domain::holidays::Division;
        use crate::domain::import::ImportFormat;
        use crate::domain::status::{State, Status};
        use crate::domain::vocab::{Channel, OutboxKind, OutboxState, Outcome, Role};
        assert_schema_spells!(
            EventKind,
            Division,
            ImportFormat,
            State,
            Status,
            Role,
            Channel,
            Outcome,
            OutboxKind,
            OutboxState
        );
    }
}
