//! Organizations events: a delegated administrator for Identity Center, and the ways an
//! account joins the organization (invitation accepted, account created, account joined).

use super::fields::{checked_account, ignored, loose, text};
use super::meta::{caller_account, meta};
use super::quote::printable;
use super::record::{CloudTrailEnvelope, CloudTrailRecord};
use super::trigger::{AccountJoined, DelegatedAdminRegistered, Trigger};
use crate::error::EventError;
use crate::ids::{is_account_id, SSO_SERVICE_PRINCIPAL};

pub(super) fn delegated_admin_registered(
    envelope: &CloudTrailEnvelope,
    record: &CloudTrailRecord,
) -> Result<Trigger, EventError> {
    let params = record.request_parameters.get();
    let service_principal =
        params
            .and_then(|p| loose(&p.service_principal))
            .ok_or(EventError::MissingField(
                "requestParameters.servicePrincipal",
            ))?;
    if service_principal != SSO_SERVICE_PRINCIPAL {
        return Ok(ignored(
            "RegisterDelegatedAdministrator",
            format!(
                "delegated administrator for `{}`, not Identity Center",
                printable(service_principal)
            ),
        ));
    }
    if let Some(code) = text("errorCode", &record.error_code)? {
        return Ok(ignored(
            "RegisterDelegatedAdministrator",
            format!(
                "the registration failed ({}): nothing changed",
                printable(code)
            ),
        ));
    }
    let account_id = params
        .and_then(|p| loose(&p.account_id))
        .ok_or(EventError::MissingField("requestParameters.accountId"))?;
    let account_id = checked_account("requestParameters.accountId", account_id)?;
    Ok(Trigger::DelegatedAdminRegistered(
        DelegatedAdminRegistered {
            meta: meta(envelope, record)?,
            account_id,
            service_principal: service_principal.to_owned(),
        },
    ))
}

pub(super) fn handshake_accepted(
    envelope: &CloudTrailEnvelope,
    record: &CloudTrailRecord,
) -> Result<Trigger, EventError> {
    if let Some(code) = text("errorCode", &record.error_code)? {
        return Ok(ignored(
            "AcceptHandshake",
            format!("the handshake was not accepted ({})", printable(code)),
        ));
    }
    let handshake = record
        .response_elements
        .get()
        .and_then(|r| r.handshake.get());
    // Members also accept handshakes that are not invitations (e.g. ENABLE_ALL_FEATURES).
    if let Some(action) = handshake.and_then(|h| loose(&h.action)) {
        if action != "INVITE" {
            return Ok(ignored(
                "AcceptHandshake",
                format!(
                    "handshake `{}` is not an invitation to join",
                    printable(action)
                ),
            ));
        }
    }
    // The invited party names the newcomer; the caller's account is the same account.
    let party = handshake.and_then(|h| {
        h.parties
            .0
            .iter()
            .filter_map(|p| p.get())
            .filter(|p| loose(&p.party_type) == Some("ACCOUNT"))
            .find_map(|p| loose(&p.id).filter(|id| is_account_id(id)))
    });
    let caller = caller_account(record)?;
    let account_id = party
        .or(caller)
        .ok_or(EventError::MissingField("userIdentity.accountId"))?;
    let account_id = checked_account("userIdentity.accountId", account_id)?;
    Ok(Trigger::AccountJoined(AccountJoined {
        meta: meta(envelope, record)?,
        account_id,
    }))
}

pub(super) fn account_created(
    envelope: &CloudTrailEnvelope,
    record: &CloudTrailRecord,
) -> Result<Trigger, EventError> {
    let status = record
        .service_event_details
        .get()
        .and_then(|d| d.create_account_status.get())
        .ok_or(EventError::MissingField(
            "serviceEventDetails.createAccountStatus",
        ))?;
    let state = loose(&status.state).unwrap_or("");
    if state != "SUCCEEDED" {
        return Ok(ignored(
            "CreateAccountResult",
            format!(
                "account creation did not succeed (state `{}`)",
                printable(state)
            ),
        ));
    }
    let account_id = loose(&status.account_id).ok_or(EventError::MissingField(
        "serviceEventDetails.createAccountStatus.accountId",
    ))?;
    let account_id = checked_account(
        "serviceEventDetails.createAccountStatus.accountId",
        account_id,
    )?;
    Ok(Trigger::AccountJoined(AccountJoined {
        meta: meta(envelope, record)?,
        account_id,
    }))
}

/// `AccountJoinedOrganization`: no published record shape, so the account is looked for where
/// Organizations records put account IDs — the service event details, the request parameters,
/// then the caller (the joining account itself).
pub(super) fn account_joined_event(
    envelope: &CloudTrailEnvelope,
    record: &CloudTrailRecord,
) -> Result<Trigger, EventError> {
    let details = record.service_event_details.get();
    let candidates = [
        details.and_then(|d| loose(&d.account_id)),
        details
            .and_then(|d| d.account.get())
            .and_then(|a| loose(&a.id)),
        record
            .request_parameters
            .get()
            .and_then(|p| loose(&p.account_id)),
    ];
    let account_id = match candidates.into_iter().flatten().next() {
        Some(account_id) => Some(account_id),
        None => caller_account(record)?,
    }
    .ok_or(EventError::MissingField("serviceEventDetails.accountId"))?;
    let account_id = checked_account("serviceEventDetails.accountId", account_id)?;
    Ok(Trigger::AccountJoined(AccountJoined {
        meta: meta(envelope, record)?,
        account_id,
    }))
}
