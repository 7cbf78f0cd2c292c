//! The catalog of application kinds (`catalog.json`, compiled in): how each moves to the
//! organization instance, and how it is recognised.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The catalog as shipped.
const BUILTIN: &str = include_str!("catalog.json");

/// The catalog's schema name; a file of another schema is refused.
pub const CATALOG_SCHEMA: &str = "idc-guardrail/migration-catalog/v1";

/// One step of a plan, and the page it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    #[serde(rename = "do")]
    pub action: String,
    pub source: String,
}

/// One kind of application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    pub name: String,
    /// Lower-case words looked for in the provider's display name or the application's name.
    #[serde(default)]
    pub recognise: Vec<String>,
    pub steps: Vec<Step>,
    pub lost: Vec<String>,
    pub down: String,
    /// Kinds that share identities with this one: bound to the same instance, they move
    /// together.
    pub moves_with: Vec<String>,
    pub sources: Vec<String>,
}

/// Every known kind, and the generic plan for the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub schema: String,
    pub about: String,
    pub generic: Entry,
    pub apps: Vec<Entry>,
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CatalogError {
    #[error("the migration catalog is not valid: {0}")]
    Malformed(String),
}

impl Catalog {
    /// The catalog compiled into this build.
    pub fn builtin() -> Result<Catalog, CatalogError> {
        Catalog::parse(BUILTIN)
    }

    /// Reads a catalog and checks what the plans rely on: its schema, unique ids, every entry
    /// with steps and every step with an https source, every `moves_with` naming an entry.
    pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
        let catalog: Catalog =
            serde_json::from_str(text).map_err(|e| CatalogError::Malformed(e.to_string()))?;
        let bad = |why: String| Err(CatalogError::Malformed(why));
        if catalog.schema != CATALOG_SCHEMA {
            return bad(format!(
                "schema `{}`, expected `{CATALOG_SCHEMA}`",
                catalog.schema
            ));
        }
        let ids: Vec<&str> = catalog.apps.iter().map(|e| e.id.as_str()).collect();
        let mut seen = std::collections::BTreeSet::from([catalog.generic.id.as_str()]);
        if let Some(twice) = ids.iter().find(|id| !seen.insert(id)) {
            return bad(format!("entry `{twice}` is given twice"));
        }
        for (i, entry) in std::iter::once(&catalog.generic)
            .chain(&catalog.apps)
            .enumerate()
        {
            if entry.steps.is_empty() || entry.sources.is_empty() {
                return bad(format!("entry `{}` has no steps or no sources", entry.id));
            }
            if i > 0 && entry.recognise.is_empty() {
                return bad(format!("entry `{}` recognises nothing", entry.id));
            }
            let sources = entry.steps.iter().map(|s| &s.source).chain(&entry.sources);
            if let Some(s) = sources
                .into_iter()
                .find(|s| !s.starts_with("https://docs.aws.amazon.com/"))
            {
                return bad(format!(
                    "entry `{}` cites `{s}`, not an AWS documentation page",
                    entry.id
                ));
            }
            if let Some(other) = entry.moves_with.iter().find(|m| !ids.contains(&m.as_str())) {
                return bad(format!("entry `{}` moves with unknown `{other}`", entry.id));
            }
            if let Some(word) = entry.recognise.iter().find(|w| **w != w.to_lowercase()) {
                return bad(format!(
                    "entry `{}` recognises `{word}`: words are lower case",
                    entry.id
                ));
            }
        }
        Ok(catalog)
    }

    /// The kind of an application: the first entry with a word in the provider's display
    /// name, else in the application's own name (Q Developer names its application
    /// `QDevProfile-<Region>`). `None`: the generic plan.
    pub fn recognise(&self, provider_name: Option<&str>, app_name: &str) -> Option<&Entry> {
        let in_text = |text: &str| {
            let text = text.to_lowercase();
            move |entry: &&Entry| entry.recognise.iter().any(|w| text.contains(w.as_str()))
        };
        provider_name
            .and_then(|name| self.apps.iter().find(in_text(name)))
            .or_else(|| self.apps.iter().find(in_text(app_name)))
    }

    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.apps.iter().find(|e| e.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Catalog {
        Catalog::builtin().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_builtin_catalog_is_valid() {
        let catalog = builtin();
        assert!(catalog.apps.len() >= 8, "{}", catalog.apps.len());
    }

    #[test]
    fn applications_are_recognised_by_display_name_then_by_their_own_name() {
        let catalog = builtin();
        let id = |provider: Option<&str>, name: &str| {
            catalog.recognise(provider, name).map(|e| e.id.as_str())
        };
        assert_eq!(id(Some("Amazon QuickSight"), "x"), Some("quicksight"));
        assert_eq!(id(Some("Amazon Q Developer"), "x"), Some("qdeveloper"));
        assert_eq!(id(Some("Amazon Q Business"), "x"), Some("qbusiness"));
        // An opaque provider without a display name: the application's own name.
        assert_eq!(id(None, "QDevProfile-us-east-1"), Some("qdeveloper"));
        assert_eq!(id(Some("Acme Portal"), "acme"), None);
    }

    #[test]
    fn a_catalog_that_plans_cannot_rely_on_is_refused() {
        let good = BUILTIN;
        for (from, to, why) in [
            ("migration-catalog/v1", "migration-catalog/v9", "schema"),
            ("\"moves_with\": [\"redshift\", \"athena\", \"qbusiness\"]", "\"moves_with\": [\"nope\"]", "unknown `nope`"),
            ("https://docs.aws.amazon.com/amazonq/latest/qdeveloper-ug/subscribe-delete-profile.html\"}", "http://example.com\"}", "not an AWS documentation page"),
            ("\"id\": \"athena\"", "\"id\": \"redshift\"", "given twice"),
            ("\"recognise\": [\"athena\"]", "\"recognise\": [\"Athena\"]", "lower case"),
        ] {
            assert!(good.contains(from), "{from}");
            let bad = good.replacen(from, to, 1);
            let err = Catalog::parse(&bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains(why), "{why}: {err}");
        }
    }
}
