//! RedisGears' replies, decoded into typed values. Decoding is lenient on purpose: a
//! field that a newer RedisGears adds is ignored, and a missing one becomes its
//! default, so a server update never breaks `gearc registrations` (RedGrease broke on
//! exactly that with 1.2's registration fields).

use redis::Value;
use serde::Serialize;

use super::connection::Node;

/// Text of a string-like reply item.
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::SimpleString(s) => Some(s.clone()),
        Value::VerbatimString { text, .. } => Some(text.clone()),
        Value::Okay => Some("OK".into()),
        Value::Int(i) => Some(i.to_string()),
        Value::Double(d) => Some(d.to_string()),
        _ => None,
    }
}

/// A number, whether sent as an integer or as text (`"0.333"` doubles are bulk strings).
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Double(d) => Some(*d),
        other => text(other)?.trim().parse().ok(),
    }
}

fn int(v: &Value) -> i64 {
    number(v).map_or(0, |n| n as i64)
}

fn items(v: &Value) -> &[Value] {
    match v {
        Value::Array(items) | Value::Set(items) => items,
        _ => &[],
    }
}

/// A flat `[name, value, name, value, …]` array (or a RESP3 map) as pairs.
fn fields(v: &Value) -> Vec<(String, &Value)> {
    match v {
        Value::Map(pairs) => pairs
            .iter()
            .filter_map(|(k, v)| Some((text(k)?, v)))
            .collect(),
        _ => items(v)
            .chunks(2)
            .filter_map(|pair| match pair {
                [k, v] => Some((text(k)?, v)),
                _ => None,
            })
            .collect(),
    }
}

fn field<'a>(pairs: &[(String, &'a Value)], name: &str) -> Option<&'a Value> {
    pairs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

fn field_text(pairs: &[(String, &Value)], name: &str) -> Option<String> {
    field(pairs, name).and_then(text)
}

fn field_list(pairs: &[(String, &Value)], name: &str) -> Option<Vec<String>> {
    match field(pairs, name)? {
        Value::Nil => None,
        v => Some(items(v).iter().filter_map(text).collect()),
    }
}

/// A reply as JSON: what `gearc trigger --json` and the run results carry. An error
/// item inside an array becomes `{"error": "…"}`.
pub fn to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Nil => J::Null,
        Value::Int(i) => J::from(*i),
        Value::Double(d) => J::from(*d),
        Value::Boolean(b) => J::from(*b),
        Value::Array(items) | Value::Set(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(pairs) => J::Object(
            pairs
                .iter()
                .map(|(k, v)| (text(k).unwrap_or_default(), to_json(v)))
                .collect(),
        ),
        Value::ServerError(e) => {
            let message = match e.details() {
                Some(d) => format!("{} {d}", e.code()),
                None => e.code().to_string(),
            };
            serde_json::json!({ "error": message })
        }
        other => text(other).map_or(J::Null, J::String),
    }
}

/// The primaries in a `CLUSTER SHARDS` reply, failed ones included (a run needs them
/// all, so a failed one must be named, not skipped).
pub fn cluster_primaries(reply: &Value) -> Vec<Node> {
    let mut out = Vec::new();
    for shard in items(reply) {
        let shard = fields(shard);
        for node in field(&shard, "nodes").map(items).unwrap_or_default() {
            let node = fields(node);
            let primary = field_text(&node, "role").as_deref() == Some("master");
            let host = field_text(&node, "ip").or_else(|| field_text(&node, "endpoint"));
            let port = field(&node, "port").map(int).unwrap_or(0);
            if let (true, Some(host), 1..=65535) = (primary, host, port) {
                out.push(Node {
                    host,
                    port: port as u16,
                });
            }
        }
    }
    out.sort_by(|a, b| (a.port, &a.host).cmp(&(b.port, &b.host)));
    out
}

/// RG.PYEXECUTE's or RG.GETRESULTS' `[results, errors]`: the result records as the
/// server sent them (the caller converts each with [`to_json`] as it prints it, so that
/// the raw reply and its converted records are never both whole in memory), each error
/// as its text; the reply itself when it has another shape.
pub fn run_reply(reply: Value) -> Result<(Vec<Value>, Vec<String>), Value> {
    match reply {
        Value::Array(mut items) if items.len() == 2 => {
            let errors = items.pop().unwrap_or(Value::Nil);
            let results = match items.pop() {
                Some(Value::Array(results) | Value::Set(results)) => results,
                _ => Vec::new(),
            };
            let errors = self::items(&errors)
                .iter()
                .map(|e| match to_json(e) {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Object(o) => o
                        .get("error")
                        .and_then(|m| m.as_str())
                        .unwrap_or_default()
                        .to_string(),
                    other => other.to_string(),
                })
                .collect();
            Ok((results, errors))
        }
        other => Err(other),
    }
}

/// One entry of RG.DUMPREGISTRATIONS.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Registration {
    pub id: String,
    /// The deploy session (`ID` of RG.PYEXECUTE), from the entry's `PD` text.
    pub session: Option<String>,
    pub reader: String,
    pub desc: Option<String>,
    pub mode: String,
    /// The key prefix (KeysReader), stream prefix (StreamReader) or trigger (CommandReader).
    pub prefix: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub key_types: Option<Vec<String>>,
    pub triggered: i64,
    pub success: i64,
    pub failures: i64,
    pub aborted: i64,
    pub last_error: Option<String>,
    /// StreamReader only: OK, WAITING_FOR_RETRY_ON_FAILURE, ABORTED, PAUSED.
    pub status: Option<String>,
}

pub fn registrations(reply: &Value) -> Vec<Registration> {
    items(reply).iter().map(registration).collect()
}

fn registration(entry: &Value) -> Registration {
    let top = fields(entry);
    let data = field(&top, "RegistrationData")
        .map(fields)
        .unwrap_or_default();
    let args = field(&data, "args").map(fields).unwrap_or_default();
    let prefix = ["regex", "stream", "trigger", "prefix"]
        .iter()
        .find_map(|name| field_text(&args, name));
    let last_error = field_text(&data, "lastError").filter(|e| !e.is_empty());
    Registration {
        id: field_text(&top, "id").unwrap_or_default(),
        session: field_text(&top, "PD").and_then(|pd| session_name(&pd)),
        reader: field_text(&top, "reader").unwrap_or_default(),
        desc: field_text(&top, "desc"),
        mode: field_text(&data, "mode").unwrap_or_default(),
        prefix,
        event_types: field_list(&args, "eventTypes"),
        key_types: field_list(&args, "keyTypes"),
        triggered: field(&data, "numTriggered").map_or(0, int),
        success: field(&data, "numSuccess").map_or(0, int),
        failures: field(&data, "numFailures").map_or(0, int),
        aborted: field(&data, "numAborted").map_or(0, int),
        last_error,
        status: field_text(&data, "status"),
    }
}

/// `sessionName` in the `PD` text of a registration, which is Python-like but not a
/// literal (`'linkedTo': primary`), so it is searched, not parsed.
fn session_name(pd: &str) -> Option<String> {
    let start = pd.find("'sessionName'")? + "'sessionName'".len();
    let rest = pd[start..].trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('\'')?;
    Some(rest[..rest.find('\'')?].to_string())
}

/// Adds another shard's counters of the same registrations (RedisGears keeps them per
/// shard; a cluster's totals are their sums).
pub fn add_counters(total: &mut [Registration], shard: &[Registration]) {
    for r in total.iter_mut() {
        if let Some(s) = shard.iter().find(|s| s.id == r.id) {
            r.triggered += s.triggered;
            r.success += s.success;
            r.failures += s.failures;
            r.aborted += s.aborted;
            if r.last_error.is_none() {
                r.last_error.clone_from(&s.last_error);
            }
        }
    }
}

/// One entry of RG.PYDUMPSESSIONS.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Session {
    pub id: String,
    pub description: Option<String>,
    pub registrations: Vec<String>,
    pub requirements: Vec<String>,
}

pub fn sessions(reply: &Value) -> Vec<Session> {
    items(reply)
        .iter()
        .filter(|s| matches!(s, Value::Array(_) | Value::Map(_)))
        .map(|s| {
            let f = fields(s);
            Session {
                id: field_text(&f, "ID").unwrap_or_default(),
                description: field_text(&f, "sessionDescription").filter(|d| d != "null"),
                registrations: field_list(&f, "registrations").unwrap_or_default(),
                requirements: field_list(&f, "requirements").unwrap_or_default(),
            }
        })
        .collect()
}

/// One entry of RG.DUMPEXECUTIONS.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Execution {
    pub id: String,
    pub status: String,
    pub registered: bool,
}

pub fn executions(reply: &Value) -> Vec<Execution> {
    items(reply)
        .iter()
        .map(|e| {
            let f = fields(e);
            Execution {
                id: field_text(&f, "executionId").unwrap_or_default(),
                status: field_text(&f, "status").unwrap_or_default(),
                registered: field(&f, "registered").is_some_and(|v| int(v) != 0),
            }
        })
        .collect()
}

/// RG.GETEXECUTION: one plan per shard.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ExecutionPlan {
    pub shard: String,
    pub status: String,
    /// Number of results, -1 while running.
    pub results: i64,
    pub errors: Vec<String>,
    pub total_duration_ms: i64,
    pub read_duration_ms: i64,
    /// First step first (the server lists the last step first).
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Step {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub duration_ms: i64,
    pub arg: String,
}

pub fn execution_plans(reply: &Value) -> Vec<ExecutionPlan> {
    items(reply)
        .iter()
        .map(|shard| {
            let top = fields(shard);
            let plan = field(&top, "execution_plan")
                .map(fields)
                .unwrap_or_default();
            let mut steps: Vec<Step> = field(&plan, "steps")
                .map(items)
                .unwrap_or_default()
                .iter()
                .map(|s| {
                    let f = fields(s);
                    Step {
                        kind: field_text(&f, "type").unwrap_or_default(),
                        name: field_text(&f, "name").unwrap_or_default(),
                        duration_ms: field(&f, "duration").map_or(0, int),
                        arg: field_text(&f, "arg").unwrap_or_default(),
                    }
                })
                .collect();
            steps.reverse();
            ExecutionPlan {
                shard: field_text(&top, "shard_id").unwrap_or_default(),
                status: field_text(&plan, "status").unwrap_or_default(),
                results: field(&plan, "results").map_or(0, int),
                errors: field(&plan, "errors")
                    .map(items)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(text)
                    .collect(),
                total_duration_ms: field(&plan, "total_duration").map_or(0, int),
                read_duration_ms: field(&plan, "read_duration").map_or(0, int),
                steps,
            }
        })
        .collect()
}

/// One entry of RG.PYDUMPREQS.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Requirement {
    pub name: String,
    pub downloaded: bool,
    pub installed: bool,
    pub os: Option<String>,
    pub wheels: Vec<String>,
}

pub fn requirements(reply: &Value) -> Vec<Requirement> {
    items(reply)
        .iter()
        .map(|r| {
            let f = fields(r);
            let yes = |name: &str| field_text(&f, name).as_deref() == Some("yes");
            Requirement {
                name: field_text(&f, "Name").unwrap_or_default(),
                downloaded: yes("IsDownloaded"),
                installed: yes("IsInstalled"),
                os: field_text(&f, "CompiledOs"),
                wheels: field_list(&f, "Wheels").unwrap_or_default(),
            }
        })
        .collect()
}

/// RG.INFOCLUSTER: the shards RedisGears knows (none when it says `no cluster mode`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GearsCluster {
    pub my_id: Option<String>,
    pub shards: Vec<GearsShard>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GearsShard {
    pub id: String,
    pub host: String,
    pub port: i64,
    pub min_slot: i64,
    pub max_slot: i64,
}

pub fn gears_cluster(reply: &Value) -> GearsCluster {
    let all = items(reply);
    let top = fields(reply);
    let list = all.iter().rev().find(|v| matches!(v, Value::Array(_)));
    GearsCluster {
        my_id: field_text(&top, "MyId"),
        shards: list
            .map(items)
            .unwrap_or_default()
            .iter()
            .map(|s| {
                let f = fields(s);
                GearsShard {
                    id: field_text(&f, "id").unwrap_or_default(),
                    host: field_text(&f, "ip").unwrap_or_default(),
                    port: field(&f, "port").map_or(0, int),
                    min_slot: field(&f, "minHslot").map_or(0, int),
                    max_slot: field(&f, "maxHslot").map_or(0, int),
                }
            })
            .collect(),
    }
}

/// RG.PYSTATS, in bytes.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PyStats {
    pub total_allocated: i64,
    pub peak_allocated: i64,
    pub current_allocated: i64,
}

pub fn py_stats(reply: &Value) -> PyStats {
    let f = fields(reply);
    PyStats {
        total_allocated: field(&f, "TotalAllocated").map_or(0, int),
        peak_allocated: field(&f, "PeakAllocated").map_or(0, int),
        current_allocated: field(&f, "CurrAllocated").map_or(0, int),
    }
}

/// The RedisGears version in MODULE LIST (`rg`, `ver` 10213 → `1.2.13`).
pub fn gears_version(module_list: &Value) -> Option<(u32, u32, u32)> {
    items(module_list).iter().find_map(|m| {
        let f = fields(m);
        (field_text(&f, "name").as_deref() == Some("rg")).then(|| {
            let v = field(&f, "ver").map_or(0, int) as u32;
            (v / 10000, v / 100 % 100, v % 100)
        })
    })
}
