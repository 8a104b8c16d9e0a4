//! Criterion: one connection through the pipeline, in-process (`cargo bench --bench pipeline`).
//! check (read + verify) alone, then check plus the render of each target.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use ipsecgen::ir::Side;
use ipsecgen::render::{registry, RenderOptions};
use ipsecgen::source::Source;

fn one_connection(c: &mut Criterion) {
    let text = std::fs::read_to_string("examples/aliyun/connection-bgp.json").expect("example");
    let check = || {
        ipsecgen::check(
            Source::new("bench.json", text.as_str()),
            &Default::default(),
        )
    };
    c.bench_function("check connection-bgp.json", |b| {
        b.iter(|| black_box(check()))
    });
    let checked = check();
    let mut group = c.benchmark_group("render connection-bgp.json");
    for target in registry().targets() {
        group.bench_function(target.name.as_str(), |b| {
            b.iter(|| {
                black_box(ipsecgen::render_all(
                    &checked,
                    RenderOptions::side(Side::Customer),
                    target,
                ))
            })
        });
    }
    group.finish();
    c.bench_function("check + all targets", |b| {
        b.iter(|| {
            let checked = check();
            for target in registry().targets() {
                let _ = black_box(ipsecgen::render_all(
                    &checked,
                    RenderOptions::side(Side::Customer),
                    target,
                ));
            }
        })
    });
}

criterion_group!(benches, one_connection);
criterion_main!(benches);
