//! The modules gearc generates, timed on a real RedisGears 1.2.13 side by side with the
//! GearsBuilder code a user would write for the same job, in one run on the same keys:
//!
//! - (a) the direct translation (`GB().count().run('n:*')`), and
//! - (b) the best hand-written version (`GB('KeysOnlyReader')…`, `readValue=False`).
//!
//! Jobs: count, list and delete keys by pattern (value-free), and a map/filter/map chain
//! over the values. Deleting is timed twice: against the hand-written batched delete
//! (one DEL per SCAN batch), the best there is, and against one DEL per key on
//! KeysOnlyReader. Each variant's results are checked to be the same keys or numbers
//! (gearc's through the client's own decoding). Prints the medians and the ratios.
//!
//!     cargo bench --bench server_modules          # 100k keys, 9 interleaved rounds
//!
//! Under `cargo test --all-targets` (no `--bench` argument) it runs on 2k keys, one
//! round, and only checks the results. Needs the RedisGears in GEARC_REDISGEARS (default
//! ../shared/redisgears); without it it prints "not run" and why.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{load, median, ms};

use serde_json::Value;

struct Job {
    name: &'static str,
    /// The keys it works on: `n:*` (kept) or `d:*` (deleted by the job, seeded again).
    prefix: &'static str,
    gear: &'static str,
    direct: &'static str,
    hand: &'static str,
    /// The job reads no value: gearc's goal is ≥ 1.5× faster than (a).
    value_free: bool,
}

const JOBS: &[Job] = &[
    Job {
        name: "count keys",
        prefix: "n",
        gear: "keys(\"n:*\") | count | run",
        direct: "GB().count().run('n:*')",
        hand: "GB('KeysOnlyReader').count().run('n:*')",
        value_free: true,
    },
    Job {
        name: "list keys",
        prefix: "n",
        gear: "keys(\"n:*\") | map(key) | run",
        direct: "GB().map(lambda r: r['key']).run('n:*')",
        hand: "GB('KeysOnlyReader').run('n:*')",
        value_free: true,
    },
    Job {
        name: "delete keys",
        prefix: "d",
        gear: "keys(\"d:*\") | foreach(execute(\"DEL\", key)) | count | run",
        direct: "GB().foreach(lambda r: execute('DEL', r['key'])).count().run('d:*')",
        hand: HAND_BATCHED_DELETE,
        value_free: true,
    },
    Job {
        name: "delete keys, (b) per key",
        prefix: "d",
        gear: "keys(\"d:*\") | foreach(execute(\"DEL\", key)) | count | run",
        direct: "GB().foreach(lambda r: execute('DEL', r['key'])).count().run('d:*')",
        hand: "GB('KeysOnlyReader').foreach(lambda k: execute('DEL', k)).count().run('d:*')",
        value_free: true,
    },
    Job {
        name: "map/filter/map",
        prefix: "n",
        gear: "keys(\"n:*\") | map(int(value)) | filter(it % 3 == 0) | map(it * 2) | run",
        direct: "GB().map(lambda r: int(r['value'])).filter(lambda x: x % 3 == 0).map(lambda x: x * 2).run('n:*')",
        hand: "GB().map(lambda r: int(r['value'])).filter(lambda x: x % 3 == 0).map(lambda x: x * 2).run('n:*')",
        value_free: false,
    },
];

/// Deleting keys as fast as a single server allows: one DEL per SCAN batch from a Python
/// reader, and the batch sizes added up. (On a cluster its DEL of keys of several hash
/// slots is refused; gearc's module then deletes key by key.)
const HAND_BATCHED_DELETE: &str = "
def deleted():
    cursor = '0'
    while True:
        cursor, keys = execute('SCAN', cursor, 'MATCH', 'd:*', 'COUNT', '1000')
        if keys:
            execute('DEL', *keys)
            yield len(keys)
        if cursor == '0':
            return

GB('PythonReader').accumulate(lambda a, n: (a or 0) + n).collect().accumulate(lambda a, n: (a or 0) + n).run(deleted)
";

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (keys, rounds) = if full { (100_000, 9) } else { (2_000, 1) };
    let gears = match Gears::start() {
        Ok(g) => g,
        Err(why) => {
            println!("server_modules: not run: {why}");
            return;
        }
    };
    println!(
        "server_modules: RedisGears 1.2.13, {keys} keys, median of {rounds} interleaved round(s); load average {}",
        load()
    );
    println!();
    println!("| job | gearc | (a) direct GB | (b) hand-written | a / gearc | b / gearc |");
    println!("|---|---:|---:|---:|---:|---:|");
    gears.seed("n", keys);
    for job in JOBS {
        let compiled = gearc::compile(job.gear, "job.gear").expect("the job compiles");
        let variants = [compiled.python.as_str(), job.direct, job.hand];
        let mut times: [Vec<Duration>; 3] = Default::default();
        for round in 0..rounds {
            // Each round starts with another variant, so that none always runs first.
            for i in (0..3).map(|k| (k + round) % 3) {
                let module = variants[i];
                if job.prefix == "d" {
                    gears.seed("d", keys);
                }
                let (took, reply) = gears.pyexecute(module);
                times[i].push(took);
                let results = results(&reply, i == 0);
                let expected = expected(job, keys);
                assert_eq!(
                    results, expected,
                    "{}: variant {i} gave other results",
                    job.name
                );
            }
        }
        let [g, a, b] = times.map(|mut t| median(&mut t));
        let ratio = |x: Duration| x.as_secs_f64() / g.as_secs_f64();
        println!(
            "| {} | {} | {} | {} | {:.2}× | {:.2}× |",
            job.name,
            ms(g),
            ms(a),
            ms(b),
            ratio(a),
            ratio(b)
        );
        if full && job.value_free {
            let verdict = if ratio(a) >= 1.5 && ratio(b) >= 0.95 {
                "goal met"
            } else {
                "goal NOT met"
            };
            println!("|  ↳ {verdict}: ≥ 1.5× faster than (a), not slower than (b) (5 % noise) | | | | | |");
        }
    }
}

/// What every variant must give, in no particular order.
fn expected(job: &Job, keys: usize) -> Vec<String> {
    match job.name {
        _ if job.prefix == "d" => vec![keys.to_string()],
        "count keys" => vec![keys.to_string()],
        "list keys" => sorted((0..keys).map(|i| format!("n:{i}"))),
        _ => sorted(
            (0..keys)
                .filter(|i| i % 3 == 0)
                .map(|i| (i * 2).to_string()),
        ),
    }
}

/// The records of a reply, sorted; gearc's decoded as `gearc run` decodes them.
fn results(reply: &redis::Value, from_gearc: bool) -> Vec<String> {
    let redis::Value::Array(parts) = reply else {
        panic!("unexpected reply {reply:?}");
    };
    let (Some(redis::Value::Array(records)), Some(redis::Value::Array(errors))) =
        (parts.first(), parts.get(1))
    else {
        panic!("unexpected reply {reply:?}");
    };
    assert!(errors.is_empty(), "the run failed: {errors:?}");
    sorted(records.iter().map(|r| {
        let text = match r {
            redis::Value::BulkString(b) => String::from_utf8_lossy(b).to_string(),
            redis::Value::SimpleString(s) => s.clone(),
            redis::Value::Int(n) => n.to_string(),
            other => panic!("unexpected record {other:?}"),
        };
        if !from_gearc {
            return text;
        }
        match gearc::submit::reply::decode_record(&Value::String(text)) {
            Value::String(s) => s,
            other => other.to_string(),
        }
    }))
}

fn sorted(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.collect();
    v.sort();
    v
}

/// A RedisGears 1.2.13 server started with its `gears-server` script, stopped with it.
struct Gears {
    script: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl Gears {
    fn start() -> Result<Gears, String> {
        let script = common::gears_script()?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let port = common::start_gears_single(&script, dir.path())?;
        Ok(Gears { script, dir, port })
    }

    fn con(&self) -> redis::Connection {
        redis::Client::open(format!("redis://127.0.0.1:{}", self.port))
            .and_then(|c| c.get_connection())
            .expect("connect to RedisGears")
    }

    /// Keys `PREFIX:0`… holding their number.
    fn seed(&self, prefix: &str, keys: usize) {
        let mut con = self.con();
        for start in (0..keys).step_by(10_000) {
            let mut pipe = redis::pipe();
            for i in start..(start + 10_000).min(keys) {
                pipe.cmd("SET").arg(format!("{prefix}:{i}")).arg(i).ignore();
            }
            let _: () = pipe.query(&mut con).expect("seed");
        }
        // Let Redis finish rehashing its dict (its cron does it in steps).
        std::thread::sleep(Duration::from_millis(300));
    }

    /// Wall time of RG.PYEXECUTE (it replies once the run is done), and its reply.
    fn pyexecute(&self, module: &str) -> (Duration, redis::Value) {
        let mut con = self.con();
        let start = Instant::now();
        let reply: redis::Value = redis::cmd("RG.PYEXECUTE")
            .arg(module)
            .query(&mut con)
            .expect("RG.PYEXECUTE");
        (start.elapsed(), reply)
    }
}

impl Drop for Gears {
    fn drop(&mut self) {
        let _ = Command::new(&self.script)
            .arg("stop")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
