//! Benchmarks of the hot paths on the full Sichuan demo dataset (4,661 townships, 53,715
//! villages): applying the `sichuan-2019` preset, with and without every figure. Each analysis
//! timed is dropped after its time is taken, as the app drops the one a new analysis replaces
//! off its UI thread.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use jianzhi::engine::Demands;
use jianzhi::model::TownshipId;
use jianzhi::prepared::Prepared;
use jianzhi::scenario::{Edit, EditAction, LevelName, Scenario};
use jianzhi::summary::summarize;
use jianzhi::workspace::Workspace;

/// The allocator of the app and the command line (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn engine(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dataset = jianzhi::import::load_dataset(&root.join("data/sichuan"))
        .expect("demo data loads")
        .dataset;
    let scenario =
        Scenario::read(&root.join("data/presets/sichuan-2019.toml")).expect("preset parses");
    let workspace = Arc::new(Workspace::new(dataset.clone()));

    let mut group = c.benchmark_group("sichuan-2019");
    group.sample_size(20);
    group.bench_function("plan_every_figure_and_coverage", |b| {
        b.iter_custom(|iters| dropped_untimed(iters, || workspace.analyse(&scenario)))
    });
    let previous = workspace.analyse(&scenario).expect("applies");
    // The township target moved from the preset's 36 %: by one step of the app's slider
    // (0.1), by one point, and by six at once.
    for (name, pct) in [
        ("target_slider_step_every_figure", 35.9),
        ("target_one_point_every_figure", 35.0),
        ("target_jump_to_30_every_figure", 30.0),
    ] {
        let mut moved = scenario.clone();
        moved.townships.target_reduction_pct = Some(pct);
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                dropped_untimed(iters, || workspace.analyse_after(&moved, Some(&previous)))
            })
        });
    }
    // One hand edit: two neighbouring townships of one county, in different units, merged.
    let ds = workspace.dataset();
    let (a, b) = ds
        .townships
        .keys()
        .find_map(|t: TownshipId| {
            workspace
                .prepared()
                .township_adjacency
                .neighbours(t)
                .find(|&n| {
                    ds.townships[n].county == ds.townships[t].county
                        && previous.plan.townships.new_of[n] != previous.plan.townships.new_of[t]
                })
                .map(|n| (t, n))
        })
        .expect("two neighbours apart");
    let mut edited = scenario.clone();
    edited.edits.push(Edit::new(
        LevelName::Townships,
        EditAction::Merge,
        vec![ds.townships[a].code.clone(), ds.townships[b].code.clone()],
    ));
    group.bench_function("hand_edit_every_figure", |b| {
        b.iter_custom(|iters| {
            dropped_untimed(iters, || workspace.analyse_after(&edited, Some(&previous)))
        })
    });
    group.bench_function("plan_only", |b| {
        b.iter(|| workspace.plan(&scenario).expect("applies"))
    });
    group.bench_function("before_summary", |b| b.iter(|| summarize(&dataset)));
    // Adjacency, terrain, the before summary and the engine's demands (the dataset's copy
    // is made outside the time).
    group.bench_function("prepare_adjacency_and_terrain", |b| {
        b.iter_batched(
            || dataset.clone(),
            |dataset| Demands::new(&Prepared::new(dataset)),
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// The time of `iters` runs of `analyse`, each analysis dropped after its time is taken, as
/// the app drops the analysis a new one replaces off its UI thread.
fn dropped_untimed<T, E: std::fmt::Debug>(
    iters: u64,
    analyse: impl Fn() -> Result<T, E>,
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        let analysis = black_box(analyse().expect("applies"));
        total += start.elapsed();
        drop(analysis);
    }
    total
}

criterion_group!(benches, engine);
criterion_main!(benches);
