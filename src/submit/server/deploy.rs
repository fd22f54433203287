//! `gearc deploy`: a file's registrations as one RedisGears session, replaced as a whole
//! when deployed again (`RG.PYEXECUTE … ID <session> UPGRADE`), and removed by
//! unregistering each of its registrations (RedisGears drops a session once it holds
//! none; an `UPGRADE` to a module without registrations would keep the old ones).

use super::replies::Registration;
use super::{classify_pyexecute, connection, pyexecute, registrations, Connection, Timeouts};
use crate::submit::SubmitError;

/// Session ids RedisGears accepts: `[A-Za-z0-9_-]+`.
pub fn valid_session_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The registrations the server holds for `session`.
pub async fn session_registrations(
    con: &mut Connection,
    session: &str,
) -> Result<Vec<Registration>, SubmitError> {
    Ok(registrations(con)
        .await?
        .into_iter()
        .filter(|r| r.session.as_deref() == Some(session))
        .collect())
}

/// Refuses a RedisGears older than 1.2, which has no `ID`/`UPGRADE`.
pub async fn require_upgrade_support(con: &mut Connection) -> Result<(), SubmitError> {
    match super::gears_version(con).await {
        Some((major, minor, patch)) if (major, minor) < (1, 2) => Err(SubmitError::OldRedisGears {
            url: con.target.to_string(),
            version: format!("{major}.{minor}.{patch}"),
        }),
        _ => Ok(()),
    }
}

/// Installs `module` as `session`, replacing what the session held, and returns the
/// session's registrations as the server now has them.
pub async fn deploy(
    con: &mut Connection,
    module: &str,
    requirements: &[String],
    session: &str,
    description: &str,
) -> Result<Vec<Registration>, SubmitError> {
    require_upgrade_support(con).await?;
    let cmd = pyexecute(
        module,
        &["ID", session, "DESCRIPTION", description, "UPGRADE"],
        requirements,
    );
    match con.query(&cmd).await {
        Ok(reply) => {
            // A registration refused by some shard comes back as an array of errors.
            if let redis::Value::Array(items) = &reply {
                let errors: Vec<String> = items
                    .iter()
                    .filter_map(|e| match super::replies::to_json(e) {
                        serde_json::Value::Object(o) => {
                            o.get("error").and_then(|m| m.as_str()).map(str::to_string)
                        }
                        _ => None,
                    })
                    .collect();
                if !errors.is_empty() {
                    return Err(SubmitError::Command {
                        url: con.target.to_string(),
                        command: "RG.PYEXECUTE".into(),
                        message: errors.join("; "),
                    });
                }
            }
        }
        Err(e) => {
            let error = classify_pyexecute(con, e, requirements).await;
            if let SubmitError::ModuleRejected { message } = &error {
                if message.contains("trigger already registered") {
                    return Err(trigger_taken(con, module, session).await);
                }
            }
            return Err(error);
        }
    }
    session_registrations(con, session).await
}

/// Which of the module's triggers another session holds, and which session.
async fn trigger_taken(con: &mut Connection, module: &str, session: &str) -> SubmitError {
    let held = registrations(con).await.unwrap_or_default();
    let taken = held.into_iter().find(|r| {
        r.reader == "CommandReader"
            && r.session.as_deref() != Some(session)
            && r.prefix
                .as_ref()
                .is_some_and(|t| module.contains(&format!("trigger={}", python_str(t))))
    });
    match taken {
        Some(r) => SubmitError::TriggerTaken {
            trigger: r.prefix.unwrap_or_default(),
            holder: r.session.map_or_else(
                || "a registration outside any session".into(),
                |s| format!("session `{s}`"),
            ),
        },
        None => SubmitError::TriggerTaken {
            trigger: "?".into(),
            holder: "another session".into(),
        },
    }
}

/// How the lowering writes a plain string literal (double quotes).
fn python_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Removes every registration of `session`; returns the removed registrations.
pub async fn undeploy(
    con: &mut Connection,
    session: &str,
) -> Result<Vec<Registration>, SubmitError> {
    let held = session_registrations(con, session).await?;
    for r in &held {
        let mut cmd = redis::cmd("RG.UNREGISTER");
        cmd.arg(&r.id);
        con.query(&cmd).await.map_err(|e| {
            connection::command_error(&con.target, "RG.UNREGISTER", e, Timeouts::default())
        })?;
    }
    Ok(held)
}
