//! Exemptions: decisions of the security team to spare an account instance for a while.
//!
//! An exemption is held centrally (`EXEMPTIONS`, in the central stack, so only the security
//! team can grant one and every grant is reviewed like any other change): it names an account
//! or an instance, a reason and an expiry. Past its expiry the instance is IDC005.
//!
//! The older tag route (`EXEMPT_TAG`) is honoured only while a service control policy keeps
//! that tag key out of the member's hands (`EXEMPT_TAG_POLICY_ID`, checked against
//! Organizations): a tag a member can set on its own instance is no exemption.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;

use crate::finding::{rfc3339, ExemptionRef, ExemptionSource};
use crate::inventory::{Instance, Inventory};

/// What an exemption spares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExemptionTarget {
    /// Every instance of the account.
    Account(String),
    /// One instance, by ARN.
    Instance(String),
}

/// One central exemption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exemption {
    pub target: ExemptionTarget,
    /// The first moment the exemption no longer holds.
    pub expires: DateTime<Utc>,
    pub reason: String,
}

impl Exemption {
    fn covers(&self, instance: &Instance) -> bool {
        match &self.target {
            ExemptionTarget::Account(account) => *account == instance.owner_account_id,
            ExemptionTarget::Instance(arn) => *arn == instance.instance_arn,
        }
    }

    fn reference(&self, expired: bool) -> ExemptionRef {
        let target = match &self.target {
            ExemptionTarget::Account(account) => format!("account {account}"),
            ExemptionTarget::Instance(arn) => arn.clone(),
        };
        ExemptionRef {
            source: ExemptionSource::Central,
            target,
            reason: self.reason.clone(),
            expires: Some(rfc3339(self.expires)),
            expired,
        }
    }
}

/// Where an instance stands with the exemptions, at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Nothing exempts it.
    NotExempt,
    /// An exemption holds: the instance is spared.
    Spared(ExemptionRef),
    /// Every exemption that named it has run out: IDC005.
    Expired(ExemptionRef),
    /// Whether an exemption holds depends on a fact not known (the fact, in words).
    Unknown(String),
    /// It carries the exemption tag, but nothing keeps that tag from the member: no exemption.
    TagNotProtected { key: String, why: String },
}

/// What of the policy exempts: the central exemptions and the exemption tag.
#[derive(Debug, Clone, Copy)]
pub struct Exempting<'a> {
    pub exemptions: &'a [Exemption],
    pub exempt_tag: Option<&'a String>,
    pub trial_days: u32,
}

impl Exempting<'_> {
    /// Where `instance` stands with the central exemptions and the exemption tag at `now`.
    /// A holding exemption wins over an expired one; an unknown fact wins over "not exempt".
    pub fn standing(
        &self,
        instance: &Instance,
        inventory: &Inventory,
        now: DateTime<Utc>,
    ) -> Standing {
        let mut expired = None;
        for exemption in self.exemptions.iter().filter(|e| e.covers(instance)) {
            if now < exemption.expires {
                return Standing::Spared(exemption.reference(false));
            }
            expired.get_or_insert_with(|| exemption.reference(true));
        }
        match self.tag_standing(instance, inventory, now) {
            Standing::NotExempt | Standing::TagNotProtected { .. } if expired.is_some() => {
                expired.map_or(Standing::NotExempt, Standing::Expired)
            }
            standing => standing,
        }
    }

    fn tag_standing(
        &self,
        instance: &Instance,
        inventory: &Inventory,
        now: DateTime<Utc>,
    ) -> Standing {
        let Some(key) = self.exempt_tag else {
            return Standing::NotExempt;
        };
        // A key no policy protects exempts nothing, so the tags need not even be known.
        if let Some(protection) = inventory
            .tag_protection
            .as_ref()
            .filter(|p| !p.protected_keys.contains(key))
        {
            let tagged = instance.tags.as_ref().is_some_and(|t| t.contains_key(key));
            return if tagged {
                Standing::TagNotProtected {
                    key: key.clone(),
                    why: protection
                        .note
                        .clone()
                        .unwrap_or_else(|| "no service control policy protects it".into()),
                }
            } else {
                Standing::NotExempt
            };
        }
        let Some(tags) = &instance.tags else {
            return Standing::Unknown(format!(
                "tags (whether it carries the exemption tag `{key}`)"
            ));
        };
        let Some(value) = tags.get(key) else {
            return Standing::NotExempt;
        };
        if inventory.tag_protection.is_none() {
            return Standing::Unknown(format!(
                "tag protection (whether a service control policy keeps the exemption tag `{key}` from the member)"
            ));
        }
        // A window that cannot be computed is never "within": the tag proves nothing then.
        let until = instance.created_date.and_then(|created| {
            Duration::try_days(i64::from(self.trial_days))
                .and_then(|window| created.checked_add_signed(window))
        });
        let Some(until) = until else {
            return Standing::Unknown(format!(
                "creation date (whether the trial window of the exemption tag `{key}` is still open)"
            ));
        };
        let reference = ExemptionRef {
            source: ExemptionSource::Tag,
            target: instance.instance_arn.clone(),
            reason: format!(
                "exemption tag `{key}` = `{value}`, trial window of {} days",
                self.trial_days
            ),
            expires: Some(rfc3339(until)),
            expired: now >= until,
        };
        if reference.expired {
            Standing::Expired(reference)
        } else {
            Standing::Spared(reference)
        }
    }
}

/// The entry of `EXEMPTIONS` as written: `{"account" | "instance_arn", "expires", "reason"}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExemptionEntry {
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    instance_arn: Option<String>,
    expires: String,
    reason: String,
}

/// Reads `EXEMPTIONS`: a JSON list of entries. An empty text is no exemption. Every entry
/// names exactly one account or instance, an expiry (a date, valid through that day UTC, or an
/// RFC 3339 time) and a reason; anything else is an error naming the entry.
pub fn parse_exemptions(text: &str) -> Result<Vec<Exemption>, String> {
    if text.trim().is_empty() {
        return Ok(vec![]);
    }
    let entries: Vec<ExemptionEntry> = serde_json::from_str(text).map_err(|e| {
        format!(
            "not a JSON list of {{\"account\" or \"instance_arn\", \"expires\", \"reason\"}}: {e}"
        )
    })?;
    entries
        .into_iter()
        .enumerate()
        .map(|(i, entry)| exemption_of(entry).map_err(|why| format!("entry {i}: {why}")))
        .collect()
}

fn exemption_of(entry: ExemptionEntry) -> Result<Exemption, String> {
    let target = match (entry.account, entry.instance_arn) {
        (Some(account), None) if crate::ids::is_account_id(&account) => {
            ExemptionTarget::Account(account)
        }
        (Some(account), None) => return Err(format!("`{account}` is not a 12-digit account ID")),
        (None, Some(arn)) if crate::ids::is_instance_arn(&arn) => ExemptionTarget::Instance(arn),
        (None, Some(arn)) => return Err(format!("`{arn}` is not an Identity Center instance ARN")),
        _ => return Err("name exactly one of \"account\" and \"instance_arn\"".into()),
    };
    if entry.reason.trim().is_empty() {
        return Err("\"reason\" is empty: every exemption says why".into());
    }
    Ok(Exemption {
        target,
        expires: expiry(&entry.expires)?,
        reason: entry.reason.trim().to_owned(),
    })
}

/// `2027-01-31` holds through that day (UTC); an RFC 3339 time holds until that moment.
fn expiry(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.succ_opt())
        .and_then(|next| next.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            format!("\"expires\" `{text}` is neither a date (2027-01-31) nor an RFC 3339 time")
        })
}

#[cfg(test)]
#[path = "exemption_tests.rs"]
mod tests;
