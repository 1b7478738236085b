//! The desktop app: a live scenario workbench over the same library calls as the CLI.
//!
//! Panels read [`AppState`] and return [`Command`]s; only [`JianzhiApp::apply`] changes state.
//! Scenario runs and dataset loads happen on a worker thread ([`worker`]), newest first.

mod charts;
mod county_table;
pub mod i18n;
mod scenario_panel;
mod worker;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::Message;
use crate::progress::{Progress, Step};
use crate::scenario::Scenario;
use crate::workspace::{Analysis, Workspace};
use eframe::egui;

use i18n::Lang;
use worker::{Analyse, Done, LoadResult, Worker};

/// The working scenario's file name in the state folder.
const LAST_SCENARIO: &str = "last-scenario.toml";

/// The CJK font (WenQuanYi Micro Hei, Apache-2.0), subset to the GBK range.
const CJK_FONT: &[u8] = include_bytes!("../../assets/wqy-microhei-gbk.ttf");

/// Everything that changes the app goes through one of these.
#[derive(Debug, Clone)]
pub enum Command {
    /// A scenario edit (undoable). `coalesce` merges it with the previous edit of a drag.
    EditScenario {
        scenario: Box<Scenario>,
        coalesce: bool,
    },
    Undo,
    Redo,
    LoadPreset(String),
    OpenPath(PathBuf),
    /// Stop the dataset load under way; the data in use stays.
    CancelLoad,
    SaveScenario(PathBuf),
    Export(PathBuf),
    SetLanguage(Lang),
    SetDark(bool),
    DismissProblems,
}

/// The app's state, as panels see it.
pub struct AppState {
    pub lang: Lang,
    pub dark: bool,
    pub workspace: Arc<Workspace>,
    pub scenario: Scenario,
    /// The newest finished analysis of `workspace` (of `scenario`, or of an earlier edit while
    /// computing); none while a newly loaded dataset's first analysis is computing. Read it
    /// through [`AppState::analysis`].
    analysis: Option<Arc<Analysis>>,
    pub computing: bool,
    pub loading: Option<Loading>,
    /// The folder reports are being written to.
    pub exporting: Option<PathBuf>,
    /// Errors from the last failed load or command, shown in a panel.
    pub problems: Vec<Message>,
    /// Warnings of the last load (data loaded, with repairs or doubts), shown in that panel.
    pub warnings: Vec<Message>,
    pub status: String,
    pub presets: Vec<(String, PathBuf)>,
    pub path_input: String,
}

impl AppState {
    /// The analysis to show: the newest one of the dataset in use, never another dataset's
    /// (its plan would index the wrong units, or past the end). A mismatch is a bug: it stops
    /// a debug build; a release build shows nothing until the right analysis arrives.
    pub fn analysis(&self) -> Option<&Analysis> {
        let analysis = self.analysis.as_deref()?;
        if analysis.is_of(&self.workspace) {
            Some(analysis)
        } else {
            debug_assert!(false, "an analysis of another dataset is kept");
            None
        }
    }
}

/// A dataset load under way.
pub struct Loading {
    pub dir: PathBuf,
    pub progress: Arc<Progress>,
}

/// Where the app keeps the scenario between runs (`JIANZHI_STATE_DIR`, else the user's
/// config folder).
pub fn state_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("JIANZHI_STATE_DIR") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("jianzhi")
}

/// How to start the app.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// Where the working scenario is kept (default [`state_dir`]).
    pub state_dir: Option<PathBuf>,
    /// Render to this PNG once the figures are shown, then close.
    pub screenshot: Option<PathBuf>,
}

pub struct JianzhiApp {
    pub state: AppState,
    undo: Vec<Scenario>,
    redo: Vec<Scenario>,
    last_edit: Option<Instant>,
    worker: Worker,
    generation: u64,
    load_generation: u64,
    frames: u64,
    /// When the working scenario first changed since it was last written to disk.
    unsaved_since: Option<Instant>,
    fonts_installed: bool,
    state_dir: PathBuf,
    screenshot: Option<PathBuf>,
    screenshot_requested: bool,
}

impl JianzhiApp {
    /// A new app on a workspace; `wake` (the UI's context) is repainted when background work
    /// finishes. The scenario in use when the app last closed is restored, else `sichuan-2019`.
    pub fn new(wake: Option<egui::Context>, workspace: Arc<Workspace>, launch: Launch) -> Self {
        let state_dir = launch.state_dir.unwrap_or_else(state_dir);
        let presets = crate::builtin::presets();
        let scenario = Scenario::read(&state_dir.join(LAST_SCENARIO))
            .ok()
            .or_else(|| {
                presets
                    .iter()
                    .find(|(n, _)| n == "sichuan-2019")
                    .and_then(|(_, p)| Scenario::read(p).ok())
            })
            .unwrap_or_else(|| Scenario::empty("—"));
        let mut app = Self {
            state: AppState {
                lang: Lang::Zh,
                dark: false,
                workspace,
                scenario,
                analysis: None,
                computing: false,
                loading: None,
                exporting: None,
                problems: Vec::new(),
                warnings: Vec::new(),
                status: String::new(),
                presets,
                path_input: String::new(),
            },
            undo: Vec::new(),
            redo: Vec::new(),
            last_edit: None,
            worker: Worker::start(move || {
                if let Some(ctx) = &wake {
                    ctx.request_repaint();
                }
            }),
            generation: 0,
            load_generation: 0,
            frames: 0,
            unsaved_since: None,
            fonts_installed: false,
            state_dir,
            screenshot: launch.screenshot,
            screenshot_requested: false,
        };
        app.recompute();
        app
    }

    /// Asks the worker for a fresh analysis of the current scenario.
    fn recompute(&mut self) {
        self.generation += 1;
        self.state.computing = true;
        self.worker.analyse(Analyse {
            generation: self.generation,
            workspace: self.state.workspace.clone(),
            scenario: Box::new(self.state.scenario.clone()),
        });
    }

    /// Whether an analysis, a load or an export is under way.
    fn busy(&self) -> bool {
        self.state.computing || self.state.loading.is_some() || self.state.exporting.is_some()
    }

    /// Waits (for tests) until the newest analysis has arrived, and any load or export ended.
    pub fn wait_for_analysis(&mut self, timeout: Duration) -> bool {
        self.wait_while(timeout, Self::busy)
    }

    /// Waits (for tests) until the dataset load under way, if any, has ended and its result
    /// is in place; its analysis may still be computing.
    pub fn wait_for_load(&mut self, timeout: Duration) -> bool {
        self.wait_while(timeout, |app| app.state.loading.is_some())
    }

    /// Holds scenario runs back (`true`) or lets them through: for tests that draw frames while
    /// an analysis is computing.
    pub fn hold_analyses(&self, hold: bool) {
        self.worker.hold(hold);
    }

    fn wait_while(&mut self, timeout: Duration, waiting: impl Fn(&Self) -> bool) -> bool {
        let start = Instant::now();
        while waiting(self) {
            if start.elapsed() > timeout {
                return false;
            }
            if let Ok(done) = self.worker.done.recv_timeout(Duration::from_millis(20)) {
                self.receive(done);
            }
        }
        true
    }

    fn receive(&mut self, done: Done) {
        match done {
            Done::Analysed { generation, result } => {
                if generation != self.generation {
                    return;
                }
                self.state.computing = false;
                match result {
                    Ok(analysis) => self.state.analysis = Some(Arc::from(analysis)),
                    Err(message) => self.state.problems = vec![message],
                }
            }
            Done::Loaded {
                generation,
                result,
                dir,
            } => {
                if generation != self.load_generation {
                    return;
                }
                self.state.loading = None;
                match result {
                    LoadResult::Loaded {
                        workspace,
                        warnings,
                    } => {
                        self.set_workspace(workspace);
                        self.state.problems.clear();
                        self.state.warnings = warnings;
                        self.state.status = dir.display().to_string();
                    }
                    LoadResult::Invalid(problems) => {
                        let kept =
                            |lang: Lang| format!("{} — {}", dir.display(), lang.t("kept_previous"));
                        let mut list = vec![Message::new(kept(Lang::En), kept(Lang::Zh))];
                        list.extend(problems);
                        self.state.problems = list;
                    }
                    LoadResult::Cancelled => {
                        self.state.status = self.state.lang.t("load_cancelled").to_string();
                    }
                }
            }
            Done::Exported { dir, result } => {
                self.state.exporting = None;
                match result {
                    Ok(()) => {
                        self.state.status =
                            format!("{} {}", self.state.lang.t("exported"), dir.display())
                    }
                    Err(message) => self.state.problems = vec![message],
                }
            }
        }
    }

    /// Puts a dataset in use and computes its analysis. The old plan indexes the old dataset:
    /// nothing is shown after the change until the new dataset's own analysis arrives.
    pub fn set_workspace(&mut self, workspace: Arc<Workspace>) {
        self.state.workspace = workspace;
        self.state.analysis = None;
        self.recompute();
    }

    /// Never lets an analysis of another dataset reach a panel. It cannot happen (a load clears
    /// the analysis and runs drop stale results); should it, a debug build stops here and a
    /// release build says so in the problems panel and computes the right one.
    fn discard_analysis_of_another_dataset(&mut self) {
        let Some(analysis) = &self.state.analysis else {
            return;
        };
        if !analysis.is_of(&self.state.workspace) {
            debug_assert!(false, "an analysis of another dataset is kept");
            self.state.analysis = None;
            self.state.problems.push(crate::tr!(
                "internal error: the figures shown were of another dataset; they were discarded and are being recomputed",
                "内部错误：显示的指标属于另一数据集，已丢弃并重新计算"
            ));
            self.recompute();
        }
    }

    /// Applies one command.
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::EditScenario { scenario, coalesce } => {
                if *scenario == self.state.scenario {
                    return;
                }
                let recent = self
                    .last_edit
                    .is_some_and(|t| t.elapsed() < Duration::from_millis(800));
                if !(coalesce && recent) {
                    self.undo.push(self.state.scenario.clone());
                }
                self.redo.clear();
                self.last_edit = Some(Instant::now());
                self.state.scenario = *scenario;
                self.scenario_changed();
            }
            Command::Undo => {
                if let Some(previous) = self.undo.pop() {
                    self.redo
                        .push(std::mem::replace(&mut self.state.scenario, previous));
                    self.last_edit = None;
                    self.scenario_changed();
                }
            }
            Command::Redo => {
                if let Some(next) = self.redo.pop() {
                    self.undo
                        .push(std::mem::replace(&mut self.state.scenario, next));
                    self.last_edit = None;
                    self.scenario_changed();
                }
            }
            Command::LoadPreset(name) => {
                if let Some((_, path)) = self.state.presets.iter().find(|(n, _)| *n == name) {
                    match Scenario::read(path) {
                        Ok(s) => self.apply(Command::EditScenario {
                            scenario: Box::new(s),
                            coalesce: false,
                        }),
                        Err(e) => self.state.problems = vec![scenario_problem(&e)],
                    }
                }
            }
            Command::OpenPath(path) => self.open_path(&path),
            Command::CancelLoad => self.cancel_load(),
            Command::SaveScenario(path) => {
                match crate::report::write_atomic(&path, self.state.scenario.to_toml().as_bytes()) {
                    Ok(()) => {
                        self.state.status =
                            format!("{} {}", self.state.lang.t("saved"), path.display())
                    }
                    Err(e) => {
                        self.state.problems = vec![crate::tr!(
                            "{}: cannot save: {e}",
                            "{}：无法保存：{e}",
                            path.display()
                        )]
                    }
                }
            }
            Command::Export(dir) => {
                let Some(analysis) = self.state.analysis.clone() else {
                    return;
                };
                if self.state.exporting.is_some() {
                    return;
                }
                self.state.exporting = Some(dir.clone());
                self.worker.export(analysis, dir);
            }
            Command::SetLanguage(lang) => self.state.lang = lang,
            Command::SetDark(dark) => self.state.dark = dark,
            Command::DismissProblems => {
                self.state.problems.clear();
                self.state.warnings.clear();
            }
        }
    }

    fn scenario_changed(&mut self) {
        self.unsaved_since.get_or_insert_with(Instant::now);
        self.recompute();
    }

    /// Writes the working scenario once edits pause (not on every frame of a drag), and at exit.
    fn persist_if_due(&mut self, force: bool) {
        if let Some(since) = self.unsaved_since
            && (force || since.elapsed() > Duration::from_millis(500))
        {
            self.persist_scenario();
            self.unsaved_since = None;
        }
    }

    /// Keeps the working scenario on disk, so the app reopens on it (written atomically).
    fn persist_scenario(&self) {
        let path = self.state_dir.join(LAST_SCENARIO);
        if std::fs::create_dir_all(&self.state_dir).is_ok() {
            let _ = crate::report::write_atomic(&path, self.state.scenario.to_toml().as_bytes());
        }
    }

    /// Opens a dataset folder (or a file inside one), or a scenario file.
    fn open_path(&mut self, path: &Path) {
        let is_scenario = path.extension().is_some_and(|e| e == "toml")
            && path.file_name().is_none_or(|n| n != "dataset.toml");
        if is_scenario {
            match Scenario::read(path) {
                Ok(s) => self.apply(Command::EditScenario {
                    scenario: Box::new(s),
                    coalesce: false,
                }),
                Err(e) => self.state.problems = vec![scenario_problem(&e)],
            }
            return;
        }
        let dir = if path.is_dir() {
            path.to_path_buf()
        } else {
            path.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        // A new load replaces one under way.
        self.cancel_load();
        self.load_generation += 1;
        let progress = Arc::new(Progress::new());
        self.state.loading = Some(Loading {
            dir: dir.clone(),
            progress: progress.clone(),
        });
        self.worker.load(self.load_generation, dir, progress);
    }

    /// Cancels the load under way, if any: its result, whatever it is, will be dropped.
    fn cancel_load(&mut self) {
        if let Some(loading) = self.state.loading.take() {
            loading.progress.cancel();
            self.load_generation += 1;
            self.state.status = self.state.lang.t("load_cancelled").to_string();
        }
    }

    /// Draws one frame and applies the commands the panels returned.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if !self.fonts_installed {
            install_fonts(&ctx);
            self.fonts_installed = true;
        }
        while let Ok(done) = self.worker.done.try_recv() {
            self.receive(done);
        }
        self.discard_analysis_of_another_dataset();
        ctx.set_theme(if self.state.dark {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
        let mut commands = Vec::new();
        // Files dropped on the window open like typed paths.
        ctx.input(|i| {
            for f in &i.raw.dropped_files {
                commands.push(Command::OpenPath(f.path().to_path_buf()));
            }
        });
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Z)) {
            commands.push(Command::Undo);
        }
        if ctx.input_mut(|i| {
            i.consume_key(
                egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
                egui::Key::Z,
            ) || i.consume_key(egui::Modifiers::COMMAND, egui::Key::Y)
        }) {
            commands.push(Command::Redo);
        }

        egui::Panel::top("top").show(ui, |ui| commands.extend(self.top_bar(ui)));
        egui::Panel::left("scenario")
            .resizable(true)
            .default_size(330.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    commands.extend(scenario_panel::show(ui, &self.state))
                });
            });
        egui::Panel::bottom("counties")
            .resizable(true)
            .default_size(170.0)
            .show(ui, |ui| {
                county_table::show(ui, &self.state);
            });
        egui::CentralPanel::default().show(ui, |ui| charts::show(ui, &self.state));
        if !self.state.problems.is_empty() || !self.state.warnings.is_empty() {
            commands.extend(self.problems_window(&ctx));
        }
        for c in commands {
            self.apply(c);
        }
        if self.busy() {
            ctx.request_repaint_after(Duration::from_millis(50));
        }
        self.persist_if_due(false);
        if self.unsaved_since.is_some() {
            ctx.request_repaint_after(Duration::from_millis(600));
        }
        self.frames += 1;
        self.maybe_screenshot(&ctx);
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let s = &self.state;
        let l = s.lang;
        let mut out = Vec::new();
        ui.horizontal_wrapped(|ui| {
            ui.heading(l.t("app_title"));
            ui.separator();
            ui.label(format!(
                "{}: {}",
                l.t("data"),
                s.workspace.dataset().provenance.name
            ));
            if !s.workspace.dataset().provenance.modelled.is_empty() {
                ui.label(
                    egui::RichText::new(l.t("modelled"))
                        .color(egui::Color32::from_rgb(200, 120, 0))
                        .strong(),
                )
                .on_hover_text(l.t("modelled_hint"));
            }
            ui.separator();
            ui.label(format!("{}: {}", l.t("scenario"), s.scenario.name));
            ui.separator();
            if ui
                .add_enabled(!self.undo.is_empty(), egui::Button::new(l.t("undo")))
                .clicked()
            {
                out.push(Command::Undo);
            }
            if ui
                .add_enabled(!self.redo.is_empty(), egui::Button::new(l.t("redo")))
                .clicked()
            {
                out.push(Command::Redo);
            }
            ui.separator();
            if ui.button(l.t("open_data")).clicked()
                && let Some(dir) = rfd::FileDialog::new().pick_folder()
            {
                out.push(Command::OpenPath(dir));
            }
            if ui.button(l.t("open_scenario")).clicked()
                && let Some(file) = rfd::FileDialog::new()
                    .add_filter("TOML", &["toml"])
                    .pick_file()
            {
                out.push(Command::OpenPath(file));
            }
            if ui.button(l.t("save_scenario")).clicked()
                && let Some(file) = rfd::FileDialog::new()
                    .set_file_name("scenario.toml")
                    .save_file()
            {
                out.push(Command::SaveScenario(file));
            }
            if ui
                .add_enabled(
                    s.analysis().is_some() && s.exporting.is_none(),
                    egui::Button::new(l.t("export")),
                )
                .clicked()
                && let Some(dir) = rfd::FileDialog::new().pick_folder()
            {
                out.push(Command::Export(dir));
            }
            ui.separator();
            egui::ComboBox::from_id_salt("lang")
                .selected_text(l.name())
                .show_ui(ui, |ui| {
                    for lang in [Lang::Zh, Lang::En] {
                        if ui.selectable_label(lang == l, lang.name()).clicked() {
                            out.push(Command::SetLanguage(lang));
                        }
                    }
                })
                .response
                .accessible_name(l.t("language"));
            let theme = if s.dark { l.t("light") } else { l.t("dark") };
            if ui.button(theme).clicked() {
                out.push(Command::SetDark(!s.dark));
            }
            if s.computing {
                ui.spinner();
                ui.label(l.t("computing"));
            }
            if let Some(dir) = &s.exporting {
                ui.spinner();
                ui.label(format!("{} {}", l.t("exporting"), dir.display()));
            }
            if let Some(loading) = &s.loading {
                ui.spinner();
                let shown = loading.progress.snapshot();
                ui.label(format!("{} {}", l.t("loading"), l.t(step_key(shown.step))));
                ui.add(
                    egui::ProgressBar::new(shown.fraction.unwrap_or(0.0))
                        .desired_width(160.0)
                        .show_percentage()
                        .animate(shown.fraction.is_none()),
                );
                if ui.button(l.t("cancel")).clicked() {
                    out.push(Command::CancelLoad);
                }
            }
        });
        ui.horizontal(|ui| {
            ui.label(l.t("path"));
            let edit = ui.add(
                egui::TextEdit::singleline(&mut self.state.path_input)
                    .hint_text(l.t("path_hint"))
                    .desired_width(420.0),
            );
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button(l.t("load")).clicked() || enter)
                && !self.state.path_input.trim().is_empty()
            {
                out.push(Command::OpenPath(PathBuf::from(
                    self.state.path_input.trim(),
                )));
            }
            if ui
                .button(l.t("save_scenario"))
                .on_hover_text(l.t("path_hint"))
                .clicked()
                && self.state.path_input.trim().ends_with(".toml")
            {
                out.push(Command::SaveScenario(PathBuf::from(
                    self.state.path_input.trim(),
                )));
            }
            if ui
                .add_enabled(
                    self.state.analysis().is_some() && self.state.exporting.is_none(),
                    egui::Button::new(l.t("export")),
                )
                .on_hover_text(l.t("path_hint"))
                .clicked()
                && !self.state.path_input.trim().is_empty()
            {
                out.push(Command::Export(PathBuf::from(self.state.path_input.trim())));
            }
            ui.weak(l.t("drop_hint"));
            if !self.state.status.is_empty() {
                ui.separator();
                ui.label(&self.state.status);
            }
        });
        out
    }

    fn problems_window(&self, ctx: &egui::Context) -> Vec<Command> {
        let l = self.state.lang;
        let mut out = Vec::new();
        egui::Window::new(l.t("problems"))
            .collapsible(false)
            .default_width(620.0)
            .show(ctx, |ui| {
                egui::ScrollArea::vertical()
                    .max_height(300.0)
                    .show(ui, |ui| {
                        for p in &self.state.problems {
                            ui.label(
                                egui::RichText::new(p.get(l)).color(ui.visuals().error_fg_color),
                            );
                        }
                        if !self.state.warnings.is_empty() {
                            ui.strong(l.t("warnings"));
                            for w in &self.state.warnings {
                                ui.label(
                                    egui::RichText::new(w.get(l)).color(ui.visuals().warn_fg_color),
                                );
                            }
                        }
                    });
                if ui.button(l.t("close")).clicked() {
                    out.push(Command::DismissProblems);
                }
            });
        out
    }

    /// What the window shows, in a line: the dataset and its township and village counts
    /// before and after.
    fn shown_figures(&self) -> String {
        let before = &self.state.workspace.before().province;
        let after = self.state.analysis().map(|a| &a.after.province);
        let count = |n: Option<usize>| n.map_or("…".to_string(), |n| n.to_string());
        format!(
            "{}: townships {} -> {}, villages {} -> {}",
            self.state.workspace.dataset().provenance.name,
            before.townships.count,
            count(after.map(|a| a.townships.count)),
            before.villages.count,
            count(after.map(|a| a.villages.count)),
        )
    }

    /// In `--screenshot` mode: once the analysis is shown, capture the window and close.
    fn maybe_screenshot(&mut self, ctx: &egui::Context) {
        let Some(path) = self.screenshot.clone() else {
            return;
        };
        if self.screenshot_requested
            || self.frames < 5
            || self.busy()
            || self.state.analysis().is_none()
        {
            ctx.request_repaint();
            return;
        }
        self.screenshot_requested = true;
        let shown = self.shown_figures();
        let close_ctx = ctx.clone();
        ctx.request_screenshot(move |image: Arc<egui::ColorImage>| {
            let [w, h] = image.size;
            let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
            let saved = image::RgbaImage::from_raw(w as u32, h as u32, bytes)
                .map(|img| img.save(&path))
                .is_some_and(|r| r.is_ok());
            if saved {
                println!("saved {} ({w}x{h}): {shown}", path.display());
            } else {
                eprintln!("error: could not save the screenshot to {}", path.display());
            }
            close_ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        });
    }
}

impl eframe::App for JianzhiApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame(ui);
    }

    fn on_exit(&mut self) {
        self.persist_if_due(true);
    }
}

impl Drop for JianzhiApp {
    fn drop(&mut self) {
        self.persist_if_due(true);
    }
}

/// The text key of a loading step.
fn step_key(step: Step) -> &'static str {
    match step {
        Step::Starting => "step_starting",
        Step::Boundaries => "step_boundaries",
        Step::Counties => "step_counties",
        Step::Townships => "step_townships",
        Step::Villages => "step_villages",
        Step::Checking => "step_checking",
        Step::Adjacency => "step_adjacency",
        Step::Terrain => "step_terrain",
        Step::Coverage => "step_coverage",
        Step::Done => "step_done",
    }
}

/// Adds the embedded CJK font after egui's own, for both families.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        "wqy".into(),
        Arc::new(egui::FontData::from_static(CJK_FONT)),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts.families.entry(family).or_default().push("wqy".into());
    }
    ctx.set_fonts(fonts);
}

/// Why the app could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the built-in demo data: {0}")]
    Demo(#[from] crate::ImportError),
    #[error("cannot open the window: {0}")]
    Window(#[from] eframe::Error),
}

/// Opens the window on the demo data; a `data` folder is then loaded in the background like one
/// opened from the window (progress, Cancel, and its problems in the panel if it has any).
pub fn run(data: Option<&Path>, screenshot: Option<PathBuf>) -> Result<(), StartError> {
    let demo = crate::import::load_dataset(&crate::builtin::demo_dir())?;
    let workspace = Arc::new(Workspace::new(demo.dataset));
    let data = data.map(Path::to_path_buf);
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1600.0, 1000.0])
            .with_title("建制 Jianzhi")
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "jianzhi",
        options,
        Box::new(move |cc| {
            let launch = Launch {
                state_dir: None,
                screenshot,
            };
            let mut app = JianzhiApp::new(Some(cc.egui_ctx.clone()), workspace, launch);
            if let Some(data) = data {
                app.apply(Command::OpenPath(data));
            }
            Ok(Box::new(app))
        }),
    )?;
    Ok(())
}

/// A scenario file that could not be used, in both languages.
fn scenario_problem(e: &crate::scenario::ScenarioError) -> Message {
    Message::new(e.describe(Lang::En), e.describe(Lang::Zh))
}
