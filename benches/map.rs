//! Benchmarks of the map on the Sichuan demo (4,661 townships, 68,407 boundary vertices): the
//! geometry built once per dataset, the coloured mesh built once per colouring, one whole
//! frame of the app (laid out and tessellated, as the GPU receives it) zoomed out and zoomed
//! in, and one hand edit's figures and map colours back.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use eframe::egui;
use jianzhi::app::{Command, JianzhiApp, Launch};
use jianzhi::map::{ColourMode, MapGeometry, colour::colour};
use jianzhi::scenario::{Edit, EditAction, LevelName, Scenario};
use jianzhi::workspace::Workspace;

/// The allocator of the app and the command line (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn map(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dataset = jianzhi::import::load_dataset(&root.join("data/sichuan"))
        .expect("demo data loads")
        .dataset;
    let scenario =
        Scenario::read(&root.join("data/presets/sichuan-2019.toml")).expect("preset parses");
    let workspace = Arc::new(Workspace::new(dataset));
    let analysis = workspace.analyse(&scenario).expect("applies");

    let mut group = c.benchmark_group("map");
    group.sample_size(20);
    group.bench_function("geometry_once_per_dataset", |b| {
        b.iter(|| MapGeometry::new(workspace.dataset()))
    });
    let geometry = MapGeometry::new(workspace.dataset());
    group.bench_function("colours_and_mesh_once_per_plan", |b| {
        b.iter(|| {
            let colouring = colour(&analysis, ColourMode::Group, true, false);
            jianzhi::app::map::Fill::new(&geometry, &colouring)
        })
    });

    // Whole frames of the app, as the window draws them.
    let state = tempfile::tempdir().expect("a temporary folder");
    let launch = Launch {
        state_dir: Some(state.path().to_path_buf()),
        screenshot: None,
        focus: None,
        ..Launch::default()
    };
    let mut app = JianzhiApp::new(None, workspace.clone(), launch);
    assert!(app.wait_for_analysis(Duration::from_secs(60)));
    let ctx = egui::Context::default();
    jianzhi::app::style::install_fonts(&ctx);
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1600.0, 1000.0),
        )),
        ..Default::default()
    };
    let frame = |app: &mut JianzhiApp| {
        let output = ctx.run_ui(input(), |ui| app.frame(ui));
        ctx.tessellate(output.shapes, output.pixels_per_point)
    };
    for _ in 0..3 {
        frame(&mut app);
    }
    group.bench_function("app_frame_whole_province", |b| b.iter(|| frame(&mut app)));
    focus_jintang(&mut app, &frame);
    group.bench_function("app_frame_one_county", |b| b.iter(|| frame(&mut app)));

    // One hand edit: the plan and every figure again after the previous analysis (only the
    // edited county runs again), and the view model the panels draw; and the same from
    // scratch, for comparison.
    let ds = workspace.dataset();
    let (a, b) = ds
        .townships
        .iter_enumerated()
        .find_map(|(t, _)| {
            let n = workspace
                .prepared()
                .township_adjacency
                .neighbours(t)
                .next()?;
            Some((ds.townships[t].code.clone(), ds.townships[n].code.clone()))
        })
        .expect("neighbours");
    let mut edited = scenario.clone();
    edited.edits.push(Edit::new(
        LevelName::Townships,
        EditAction::Merge,
        vec![a, b],
    ));
    group.bench_function("one_hand_edit_every_figure", |b| {
        b.iter(|| {
            let analysis = workspace
                .analyse_after(&edited, Some(&analysis))
                .expect("applies");
            let colouring = colour(&analysis, ColourMode::Group, true, false);
            let mesh = jianzhi::app::map::Fill::new(&geometry, &colouring);
            (jianzhi::figures::FiguresView::new(&analysis), mesh)
        })
    });
    group.bench_function("one_hand_edit_every_figure_from_scratch", |b| {
        b.iter(|| {
            let analysis = workspace.analyse(&edited).expect("applies");
            let colouring = colour(&analysis, ColourMode::Group, true, false);
            let mesh = jianzhi::app::map::Fill::new(&geometry, &colouring);
            (jianzhi::figures::FiguresView::new(&analysis), mesh)
        })
    });
    group.finish();
}

/// The whole country (2,980 counties, 42,900 townships): one frame zoomed out to the country,
/// and one zoomed in to a county, as the GPU receives them.
fn country(c: &mut Criterion) {
    let progress = jianzhi::progress::Progress::new();
    let provinces: Vec<_> = jianzhi::national::PROVINCES.iter().collect();
    let dataset = jianzhi::national::load(&provinces, &Default::default(), &progress)
        .expect("the country loads")
        .dataset;
    let workspace = Arc::new(Workspace::new(dataset));
    let state = tempfile::tempdir().expect("a temporary folder");
    let launch = Launch {
        state_dir: Some(state.path().to_path_buf()),
        ..Launch::default()
    };
    let mut app = JianzhiApp::new(None, workspace.clone(), launch);
    assert!(app.wait_for_analysis(Duration::from_secs(120)));
    let ctx = egui::Context::default();
    jianzhi::app::style::install_fonts(&ctx);
    let frame = |app: &mut JianzhiApp| {
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1600.0, 1000.0),
            )),
            ..Default::default()
        };
        let output = ctx.run_ui(input, |ui| app.frame(ui));
        ctx.tessellate(output.shapes, output.pixels_per_point)
    };
    for _ in 0..3 {
        frame(&mut app);
    }
    let vertices = |prims: &[egui::ClippedPrimitive]| -> usize {
        prims
            .iter()
            .map(|p| match &p.primitive {
                egui::epaint::Primitive::Mesh(m) => m.vertices.len(),
                _ => 0,
            })
            .sum()
    };
    eprintln!(
        "the whole country: {} vertices a frame (townships' fill {}, counties' {})",
        vertices(&frame(&mut app)),
        app.map.geometry.fill.positions.len(),
        app.map.geometry.overview.positions.len()
    );
    let mut group = c.benchmark_group("country");
    group.sample_size(10);
    let analysis = app.state.analysis().expect("analysed");
    group.bench_function("colours_and_meshes_once_per_plan", |b| {
        b.iter(|| {
            let colouring = colour(analysis, ColourMode::Group, true, false);
            jianzhi::app::map::Fill::new(&app.map.geometry, &colouring)
        })
    });
    group.bench_function("app_frame_whole_country", |b| b.iter(|| frame(&mut app)));
    // A drag across the map: the button held over the map, the pointer moving 4 points a
    // frame (each frame pans the view; the meshes are cached, so a frame only moves them).
    let at = app.map.transform.expect("drawn").rect.center();
    let event_frame = |app: &mut JianzhiApp, events: Vec<egui::Event>| {
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1600.0, 1000.0),
            )),
            events,
            ..Default::default()
        };
        let output = ctx.run_ui(input, |ui| app.frame(ui));
        ctx.tessellate(output.shapes, output.pixels_per_point)
    };
    event_frame(&mut app, vec![egui::Event::PointerMoved(at)]);
    event_frame(
        &mut app,
        vec![egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed: true,
            modifiers: egui::Modifiers::NONE,
        }],
    );
    let mut step = 0.0f32;
    let centre_before = app.map.centre;
    group.bench_function("app_frame_whole_country_during_a_drag", |b| {
        b.iter(|| {
            step += 1.0;
            let dx = if (step as i32 / 50) % 2 == 0 {
                4.0
            } else {
                -4.0
            };
            let p = at + egui::vec2(dx * (step % 50.0), 0.0);
            event_frame(&mut app, vec![egui::Event::PointerMoved(p)])
        })
    });
    eprintln!(
        "during the drag the view moved: {:?} -> {:?}",
        centre_before, app.map.centre
    );
    event_frame(
        &mut app,
        vec![egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed: false,
            modifiers: egui::Modifiers::NONE,
        }],
    );
    focus_jintang(&mut app, &frame);
    eprintln!(
        "one county: {} vertices a frame",
        vertices(&frame(&mut app))
    );
    group.bench_function("app_frame_one_county", |b| b.iter(|| frame(&mut app)));
    group.finish();
}

/// Opens the map on 金堂县 and draws a few frames so the view settles.
fn focus_jintang<T>(app: &mut JianzhiApp, frame: &impl Fn(&mut JianzhiApp) -> T) {
    let county = app
        .state
        .workspace
        .dataset()
        .counties
        .iter_enumerated()
        .find(|(_, c)| c.name == "金堂县")
        .map(|(k, _)| k)
        .expect("金堂县");
    app.apply(Command::FocusCounty(county));
    for _ in 0..3 {
        frame(app);
    }
}

criterion_group!(benches, map, country);
criterion_main!(benches);
