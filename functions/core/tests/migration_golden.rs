//! Golden tests of the migration plan: for every catalog entry (and the generic plan), the
//! plan of an account instance with one such application bound, as Markdown, in
//! `events/expected-migration/<entry>.md`; and one account with QuickSight and Q Developer
//! bound together, in every format. After an intended change (to the catalog or the
//! rendering), regenerate with `IDC_UPDATE_GOLDEN=1 cargo test -p idc-core --test
//! migration_golden` and review the diff.

use std::path::{Path, PathBuf};

use idc_core::migration::render::{markdown, table};
use idc_core::migration::{
    plan, AccountFacts, BoundApp, Catalog, InstanceFacts, QuickSightSubscription, StoreSize,
};

const INSTANCE: &str = "arn:aws:sso:::instance/ssoins-6804b2c3d4e5f6a7";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/expected-migration")
}

fn catalog() -> Catalog {
    Catalog::builtin().unwrap_or_else(|e| panic!("{e}"))
}

fn app(name: &str, provider: Option<&str>, users: usize, groups: usize) -> BoundApp {
    BoundApp {
        application_arn: format!(
            "arn:aws:sso::222222222222:application/ssoins-6804b2c3d4e5f6a7/apl-{:0>16}",
            name.len()
        ),
        name: name.to_owned(),
        provider_arn: format!(
            "arn:aws:sso::aws:applicationProvider/{}",
            name.to_lowercase()
        ),
        provider_name: provider.map(str::to_owned),
        status: "ENABLED".to_owned(),
        users: Some(users),
        groups: Some(groups),
        principals: vec![],
    }
}

fn account(apps: Vec<BoundApp>, quicksight: Option<QuickSightSubscription>) -> AccountFacts {
    AccountFacts {
        account_id: "222222222222".to_owned(),
        home_region: Some("us-east-1".to_owned()),
        instances: vec![InstanceFacts {
            instance_arn: INSTANCE.to_owned(),
            region: "eu-west-1".to_owned(),
            store: Some(StoreSize {
                users: 4,
                groups: 2,
            }),
            apps,
            quicksight,
            unread: vec![],
        }],
    }
}

fn check(name: &str, text: &str) {
    let path = dir().join(name);
    if std::env::var_os("IDC_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(dir()).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (regenerate with IDC_UPDATE_GOLDEN=1)",
            path.display()
        )
    });
    assert_eq!(
        text, expected,
        "{name}: regenerate with IDC_UPDATE_GOLDEN=1 if intended"
    );
}

#[test]
fn every_catalog_entry_has_its_golden_plan() {
    let catalog = catalog();
    for entry in &catalog.apps {
        let facts = account(
            vec![app(&format!("{}-app", entry.id), Some(&entry.name), 3, 1)],
            None,
        );
        let plan = plan(&facts, &catalog);
        let planned = &plan.instances[0].apps[0];
        assert!(
            planned.known && planned.kind == entry.id,
            "{}: {planned:?}",
            entry.id
        );
        check(&format!("{}.md", entry.id), &markdown(&plan));
    }
    let facts = account(vec![app("acme-portal", Some("Acme Portal"), 2, 0)], None);
    let plan = plan(&facts, &catalog);
    assert!(!plan.instances[0].apps[0].known);
    check("generic.md", &markdown(&plan));
}

#[test]
fn quicksight_and_q_developer_bound_together_in_every_format() {
    let catalog = catalog();
    let facts = account(
        vec![
            app("QuickSight", Some("Amazon QuickSight"), 3, 1),
            app("QDevProfile-eu-west-1", None, 2, 0),
            app("analytics-redshift", Some("Amazon Redshift"), 1, 1),
        ],
        Some(QuickSightSubscription {
            authentication_type: Some("IAM_IDENTITY_CENTER".to_owned()),
            instance_arn: Some(INSTANCE.to_owned()),
        }),
    );
    let plan = plan(&facts, &catalog);
    let kinds: Vec<&str> = plan.instances[0]
        .apps
        .iter()
        .map(|a| a.kind.as_str())
        .collect();
    assert_eq!(kinds, ["quicksight", "qdeveloper", "redshift"]);
    assert_eq!(
        plan.instances[0].together,
        vec![vec![
            "QuickSight".to_owned(),
            "analytics-redshift".to_owned()
        ]]
    );
    check("account.md", &markdown(&plan));
    check("account.txt", &table(&plan));
    let json = serde_json::to_string_pretty(&plan).unwrap_or_else(|e| panic!("{e}")) + "\n";
    check("account.json", &json);
}
