//! The local engine, measured side by side with what it is compared to, in one run:
//!
//! - records/s of `gearc run --local` on the jobs (a sum and a countby over
//!   100k and 1M string keys, a sum over 100k hashes), against the same module sent
//!   with RG.PYEXECUTE to the real RedisGears 1.2.13 of `../shared/redisgears` (or
//!   `GEARC_REDISGEARS`) holding the same data ("not run" and why, without it);
//! - start-up: `gearc run --local examples/fighters.gear` against `python3 -c pass` on
//!   the same interpreter, alternating, with a warm and a cold engine cache.
//!
//! `cargo bench --bench engine` (add `-- quick` for 100k keys and one round only).
//! Each figure is the median of its rounds. Results go to stdout; docs/performance.md
//! quotes them.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{free_port, load, median, ms};

const GEARC: &str = env!("CARGO_BIN_EXE_gearc");

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    let rounds = if quick { 1 } else { 3 };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    println!(
        "local engine benchmark ({} round(s) per figure; median)",
        rounds
    );
    println!("machine: {} cores; load average {}", cores(), load());
    throughput(quick, rounds);
    startup(&root, if quick { 5 } else { 15 });
    println!();
    println!("load average at the end: {}", load());
}

// ---------------------------------------------------------------------------------------
// records per second

struct Job {
    name: &'static str,
    source: &'static str,
}

const SUM: Job = Job {
    name: "sum",
    source: "keys(\"n:*\") | map(int(value)) | aggregate(0, add) | run\n",
};
const COUNTBY: Job = Job {
    name: "countby",
    source: "keys(\"n:*\") | countby(int(value) % 10) | run\n",
};
const HASH_SUM: Job = Job {
    name: "hash sum",
    source: "keys(\"h:*\") | map(int(value[\"age\"])) | aggregate(0, add) | run\n",
};

fn throughput(quick: bool, rounds: usize) {
    // The interpreter itself, not a version manager's shim in front of it (which costs tens
    // of milliseconds per start; docs/local-engine.md tells users to do the same).
    let python =
        real_interpreter(&std::env::var("GEARC_PYTHON").unwrap_or_else(|_| "python3".to_string()));
    println!("throughput: GEARC_PYTHON={python}");
    let work = tempfile::tempdir().expect("temp dir");
    let redis = Redis::start(work.path());
    let gears = Gears::start(work.path());
    if let Err(why) = &gears {
        println!("RedisGears: not run ({why})");
    }
    let sizes: &[usize] = if quick {
        &[100_000]
    } else {
        &[100_000, 1_000_000]
    };
    println!();
    println!("Wall time of each run (median), and in parentheses the CPU time it took (gearc, its");
    println!(
        "Python and the plain redis-server; or the RedisGears server). On a loaded machine the"
    );
    println!("wall times grow with the waits for a core, the CPU times less so.");
    println!();
    println!("| keys | job | gearc run --local | RedisGears RG.PYEXECUTE | ratio (CPU ratio) |");
    println!("|---:|---|---:|---:|---:|");
    for &size in sizes {
        for (jobs, hashes) in [(&[SUM, COUNTBY][..], false), (&[HASH_SUM][..], true)] {
            if hashes && size > 100_000 && quick {
                continue;
            }
            redis.seed(size, hashes);
            if let Ok(g) = &gears {
                g.redis.seed(size, hashes);
            }
            for job in jobs {
                let file = work.path().join("job.gear");
                std::fs::write(&file, job.source).expect("write the job");
                let module = compile(&file);
                let mut local = Vec::new();
                let mut server = Vec::new();
                let mut outputs = (String::new(), String::new());
                for _ in 0..rounds {
                    let (cpu, redis_cpu) = (children_cpu(), redis.cpu());
                    let (took, out) = run_local(&file, &redis.url(), &python);
                    local.push((
                        took,
                        children_cpu().saturating_sub(cpu) + redis.cpu().saturating_sub(redis_cpu),
                    ));
                    outputs.0 = out;
                    if let Ok(g) = &gears {
                        let cpu = g.redis.cpu();
                        let (took, out) = g.pyexecute(&module);
                        server.push((took, g.redis.cpu().saturating_sub(cpu)));
                        outputs.1 = out;
                    }
                }
                let local = median_pair(&mut local);
                let shown = |(wall, cpu): (Duration, Duration)| {
                    format!(
                        "{:.0} k/s ({:.2} s; CPU {:.2} s)",
                        size as f64 / wall.as_secs_f64() / 1000.0,
                        wall.as_secs_f64(),
                        cpu.as_secs_f64()
                    )
                };
                let (server_text, ratio) = match &gears {
                    Ok(_) => {
                        let server = median_pair(&mut server);
                        (
                            shown(server),
                            format!(
                                "{:.1}× ({:.1}×)",
                                local.0.as_secs_f64() / server.0.as_secs_f64(),
                                local.1.as_secs_f64() / server.1.as_secs_f64()
                            ),
                        )
                    }
                    Err(_) => ("not run".to_string(), "—".to_string()),
                };
                let kind = if hashes { "hashes" } else { "strings" };
                println!(
                    "| {} {kind} | {} | {} | {server_text} | {ratio} |",
                    size,
                    job.name,
                    shown(local)
                );
                if gears.is_ok() && !same_totals(&outputs.0, &outputs.1) {
                    println!(
                        "  (!) results differ: local {:?}, server {:?}",
                        outputs.0, outputs.1
                    );
                }
            }
        }
    }
}

/// The median by wall time, with its CPU time.
fn median_pair(values: &mut [(Duration, Duration)]) -> (Duration, Duration) {
    values.sort();
    values[values.len() / 2]
}

/// CPU time (user and system) of this process's children that have ended: gearc and, as
/// gearc waits for it, the engine's Python.
fn children_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(") ")
        .map_or(Vec::new(), |(_, rest)| rest.split(' ').collect());
    // Fields 16 and 17 of proc(5) (cutime, cstime), counted from the state, field 3.
    let ticks: u64 = [13, 14]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}

fn compile(file: &Path) -> String {
    let out = Command::new(GEARC)
        .arg("compile")
        .arg(file)
        .output()
        .expect("run gearc compile");
    assert!(out.status.success(), "gearc compile failed");
    String::from_utf8(out.stdout).expect("UTF-8 module")
}

/// Wall time of `gearc run --local --json`, and its output.
fn run_local(file: &Path, url: &str, python: &str) -> (Duration, String) {
    let start = Instant::now();
    let out = Command::new(GEARC)
        .args(["run", "--local", "--json"])
        .arg(file)
        .args(["--url", url])
        .env("GEARC_PYTHON", python)
        .env_remove("REDIS_URL")
        .output()
        .expect("run gearc");
    let took = start.elapsed();
    assert!(
        out.status.success(),
        "gearc run --local failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (took, String::from_utf8_lossy(&out.stdout).to_string())
}

/// Both back ends' outputs hold the same numbers (group order may differ).
fn same_totals(local: &str, server: &str) -> bool {
    let numbers = |s: &str| {
        let mut n: Vec<String> = s
            .split(|c: char| !c.is_ascii_digit())
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect();
        n.sort();
        n
    };
    numbers(local) == numbers(server)
}

// ---------------------------------------------------------------------------------------
// start-up

fn startup(root: &Path, runs: usize) {
    let work = tempfile::tempdir().expect("temp dir");
    let redis = Redis::start(work.path());
    let mut con = redis.con();
    let _: () = redis::cmd("MSET")
        .arg(&[
            "Foo-fighter",
            "2021",
            "Bar-fighter",
            "63",
            "Baz-fighter",
            "-747",
            "not-a-fight",
            "5",
        ])
        .query(&mut con)
        .expect("seed");
    let example = root.join("examples/fighters.gear");
    let python = std::env::var("GEARC_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let real = real_interpreter(&python);
    println!();
    println!("start-up: `gearc run --local examples/fighters.gear` vs `PYTHON -c pass`, alternating, {runs} runs each, median");
    println!();
    println!("| interpreter | python -c pass | gearc run --local (warm cache) | difference | first run (cold cache) |");
    println!("|---|---:|---:|---:|---:|");
    let mut interpreters = vec![python.clone()];
    if real != python {
        interpreters.push(real);
    }
    for interpreter in interpreters {
        let cache = tempfile::tempdir().expect("temp dir");
        let gearc = || {
            let start = Instant::now();
            let out = Command::new(GEARC)
                .args(["run", "--local"])
                .arg(&example)
                .args(["--url", &redis.url()])
                .env("GEARC_PYTHON", &interpreter)
                .env("GEARC_CACHE_DIR", cache.path())
                .env_remove("REDIS_URL")
                .output()
                .expect("run gearc");
            assert_eq!(String::from_utf8_lossy(&out.stdout), "1337\n");
            start.elapsed()
        };
        let bare = || {
            let start = Instant::now();
            let status = Command::new(&interpreter)
                .args(["-c", "pass"])
                .status()
                .expect("run the interpreter");
            assert!(status.success());
            start.elapsed()
        };
        let cold = gearc();
        let (mut with_gearc, mut plain) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            plain.push(bare());
            with_gearc.push(gearc());
        }
        let (plain, with_gearc) = (median(&mut plain), median(&mut with_gearc));
        println!(
            "| `{interpreter}` | {} | {} | {:+.1} ms | {} |",
            ms(plain),
            ms(with_gearc),
            (with_gearc.as_secs_f64() - plain.as_secs_f64()) * 1000.0,
            ms(cold)
        );
    }
}

/// What a version manager's shim runs in the end (`sys.executable`).
fn real_interpreter(python: &str) -> String {
    Command::new(python)
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| python.to_string())
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

// ---------------------------------------------------------------------------------------
// servers

/// A plain redis-server of this benchmark, stopped by pid when dropped.
struct Redis {
    child: Option<Child>,
    port: u16,
}

impl Redis {
    fn start(dir: &Path) -> Redis {
        let port = free_port();
        let data = dir.join(format!("redis-{port}"));
        std::fs::create_dir_all(&data).expect("redis dir");
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--dir"])
            .arg(&data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server (apt install redis-server)");
        let redis = Redis {
            child: Some(child),
            port,
        };
        redis.wait();
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn con(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .and_then(|c| c.get_connection())
            .expect("connect")
    }

    /// The server's CPU time so far (INFO cpu).
    fn cpu(&self) -> Duration {
        let info: String = redis::cmd("INFO")
            .arg("cpu")
            .query(&mut self.con())
            .unwrap_or_default();
        let seconds: f64 = info
            .lines()
            .filter(|l| l.starts_with("used_cpu_sys:") || l.starts_with("used_cpu_user:"))
            .filter_map(|l| {
                l.split_once(':')
                    .and_then(|(_, v)| v.trim().parse::<f64>().ok())
            })
            .sum();
        Duration::from_secs_f64(seconds)
    }

    fn wait(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(mut con) = redis::Client::open(self.url()).and_then(|c| c.get_connection()) {
                if redis::cmd("PING").query::<String>(&mut con).is_ok() {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("no server on port {}", self.port);
    }

    /// `size` keys n:0.. with their number as value, or hashes h:0.. {name, age}.
    fn seed(&self, size: usize, hashes: bool) {
        let mut con = self.con();
        let _: () = redis::cmd("FLUSHALL").query(&mut con).expect("FLUSHALL");
        for start in (0..size).step_by(10_000) {
            let mut pipe = redis::pipe();
            for i in start..(start + 10_000).min(size) {
                if hashes {
                    pipe.cmd("HSET")
                        .arg(format!("h:{i}"))
                        .arg("name")
                        .arg(format!("user{i}"))
                        .arg("age")
                        .arg(i % 100)
                        .ignore();
                } else {
                    pipe.cmd("SET").arg(format!("n:{i}")).arg(i).ignore();
                }
            }
            let _: () = pipe.query(&mut con).expect("seed");
        }
        // Let Redis finish rehashing its dict (its cron does it in steps).
        std::thread::sleep(Duration::from_millis(300));
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The real RedisGears, started with its `gears-server` script and stopped with it.
struct Gears {
    script: PathBuf,
    dir: PathBuf,
    redis: Redis,
}

impl Gears {
    fn start(work: &Path) -> Result<Gears, String> {
        let script = common::gears_script()?;
        let dir = work.join("gears");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let port = common::start_gears_single(&script, &dir)?;
        let redis = Redis { child: None, port };
        redis.wait();
        Ok(Gears { script, dir, redis })
    }

    /// Wall time of RG.PYEXECUTE (it replies once the run is done), and its reply.
    fn pyexecute(&self, module: &str) -> (Duration, String) {
        let mut con = self.redis.con();
        let start = Instant::now();
        let reply: redis::Value = redis::cmd("RG.PYEXECUTE")
            .arg(module)
            .query(&mut con)
            .expect("RG.PYEXECUTE");
        let took = start.elapsed();
        let mut text = String::new();
        reply_text(&reply, &mut text);
        (took, text)
    }
}

/// A reply's strings and numbers, one per line.
fn reply_text(value: &redis::Value, out: &mut String) {
    match value {
        redis::Value::BulkString(bytes) => out.push_str(&String::from_utf8_lossy(bytes)),
        redis::Value::SimpleString(s) => out.push_str(s),
        redis::Value::Int(n) => out.push_str(&n.to_string()),
        redis::Value::Array(items) => items.iter().for_each(|item| reply_text(item, out)),
        other => out.push_str(&format!("{other:?}")),
    }
    out.push('\n');
}

impl Drop for Gears {
    fn drop(&mut self) {
        let _ = Command::new(&self.script)
            .arg("stop")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
