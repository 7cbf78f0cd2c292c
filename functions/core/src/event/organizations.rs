//! Organizations events: a delegated administrator for Identity Center, and the ways an
//! account joins the organization (invitation accepted, account created, account joined).

use super::fields::{checked_account, ignored};
use super::meta::meta;
use super::quote::printable;
use super::trigger::{AccountJoined, DelegatedAdminRegistered, Trigger};
use super::view::{EnvelopeView, Node, RecordView};
use crate::error::EventError;
use crate::ids::{is_account_id, SSO_SERVICE_PRINCIPAL};

pub(super) fn delegated_admin_registered<N: Node>(
    envelope: &EnvelopeView<'_>,
    record: &RecordView<'_, N>,
) -> Result<Trigger, EventError> {
    let params = record.request_parameters;
    let service_principal = params
        .and_then(|p| p.get("servicePrincipal"))
        .and_then(N::as_str)
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
    if let Some(code) = record.error_code {
        return Ok(ignored(
            "RegisterDelegatedAdministrator",
            format!(
                "the registration failed ({}): nothing changed",
                printable(code)
            ),
        ));
    }
    let account_id = params
        .and_then(|p| p.get("accountId"))
        .and_then(N::as_str)
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

pub(super) fn handshake_accepted<N: Node>(
    envelope: &EnvelopeView<'_>,
    record: &RecordView<'_, N>,
) -> Result<Trigger, EventError> {
    if let Some(code) = record.error_code {
        return Ok(ignored(
            "AcceptHandshake",
            format!("the handshake was not accepted ({})", printable(code)),
        ));
    }
    let handshake = record.response_elements.and_then(|r| r.get("handshake"));
    // Members also accept handshakes that are not invitations (e.g. ENABLE_ALL_FEATURES).
    if let Some(action) = handshake.and_then(|h| h.get("action")).and_then(N::as_str) {
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
    let party = handshake
        .and_then(|h| h.get("parties"))
        .and_then(N::as_array)
        .and_then(|parties| {
            parties.iter().find(|p| {
                p.get("type").and_then(N::as_str) == Some("ACCOUNT")
                    && p.get("id").and_then(N::as_str).is_some_and(is_account_id)
            })
        })
        .and_then(|p| p.get("id"))
        .and_then(N::as_str);
    let caller = record.user_identity.and_then(|u| u.account_id);
    let account_id = party
        .or(caller)
        .ok_or(EventError::MissingField("userIdentity.accountId"))?;
    let account_id = checked_account("userIdentity.accountId", account_id)?;
    Ok(Trigger::AccountJoined(AccountJoined {
        meta: meta(envelope, record)?,
        account_id,
    }))
}

pub(super) fn account_created<N: Node>(
    envelope: &EnvelopeView<'_>,
    record: &RecordView<'_, N>,
) -> Result<Trigger, EventError> {
    let status = record
        .service_event_details
        .and_then(|d| d.get("createAccountStatus"))
        .ok_or(EventError::MissingField(
            "serviceEventDetails.createAccountStatus",
        ))?;
    let state = status.get("state").and_then(N::as_str).unwrap_or("");
    if state != "SUCCEEDED" {
        return Ok(ignored(
            "CreateAccountResult",
            format!(
                "account creation did not succeed (state `{}`)",
                printable(state)
            ),
        ));
    }
    let account_id =
        status
            .get("accountId")
            .and_then(N::as_str)
            .ok_or(EventError::MissingField(
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
pub(super) fn account_joined_event<N: Node>(
    envelope: &EnvelopeView<'_>,
    record: &RecordView<'_, N>,
) -> Result<Trigger, EventError> {
    let details = record.service_event_details;
    let candidates = [
        details.and_then(|d| d.get("accountId")),
        // `/account/id`, key by key (as `Value::pointer` reads objects).
        details
            .and_then(|d| d.get("account"))
            .and_then(|a| a.get("id")),
        record.request_parameters.and_then(|p| p.get("accountId")),
    ];
    let account_id = candidates
        .iter()
        .flatten()
        .find_map(|v| v.as_str())
        .or_else(|| record.user_identity.and_then(|u| u.account_id))
        .ok_or(EventError::MissingField("serviceEventDetails.accountId"))?;
    let account_id = checked_account("serviceEventDetails.accountId", account_id)?;
    Ok(Trigger::AccountJoined(AccountJoined {
        meta: meta(envelope, record)?,
        account_id,
    }))
}
