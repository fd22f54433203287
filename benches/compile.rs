//! Compile time of a large generated `.gear` file (about 1 MiB, many pipelines),
//! the whole path: parse, check, lower.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// A file of `pipelines` varied pipelines, constants and functions.
fn big_source(target_bytes: usize) -> String {
    let mut s = String::from("python \"\"\"\ndef helper(x):\n    return x\n\"\"\"\n");
    let mut i = 0;
    while s.len() < target_bytes {
        s.push_str(&format!(
            "let LIMIT_{i} = {i}\nfn scale_{i}(x) = x * {i} + LIMIT_{i}\n"
        ));
        s.push_str(&format!(
            "keys(\"user:{i}:*\", key_types = [\"hash\"]) | filter(value.get(\"age\", \"0\") != \"\") | map(scale_{i}(int(value[\"age\"]))) | groupby(str(it % 7), 0, |acc, r| acc + r) | register\n"
        ));
        s.push_str(&format!(
            "stream(\"events:{i}:*\", batch = 10) | foreach(execute(\"HSET\", f\"copy:{{id}}\", ...pairs(value))) | register(mode = \"async\")\n"
        ));
        s.push_str(&format!(
            "keys(\"k{i}:*\", event_types = [\"set\"]) | map(if len(key) > 3 then key.upper() else key.lower()) | foreach(log(f\"seen {{it}}\", level = \"notice\")) | register\n"
        ));
        i += 1;
    }
    s.push_str("keys(\"*-fighter\") | map(int(value)) | aggregate(0, add) | run\n");
    s
}

fn compile_1mib(c: &mut Criterion) {
    let source = big_source(1 << 20);
    gearc::compile(&source, "big.gear").expect("the generated file compiles");
    let mut group = c.benchmark_group("compile");
    group.throughput(Throughput::Bytes(source.len() as u64));
    group.sample_size(10);
    group.bench_function("1 MiB generated file", |b| {
        b.iter(|| gearc::compile(std::hint::black_box(&source), "big.gear").expect("compiles"))
    });
    group.finish();
}

criterion_group!(benches, compile_1mib);
criterion_main!(benches);
