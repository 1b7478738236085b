//! The desktop app: a live scenario workbench over the same library calls as the CLI.
//!
//! - [`state`]: what survives a restart ([`Saved`](state::Saved)) apart from runtime state.
//! - [`view`]: view models the panels draw, built once per analysis on the worker thread.
//! - One module per panel (`top_bar`, `tabs`, `scenario_panel`, `charts`, `county_table`,
//!   `problems`): each reads the state and returns [`Command`]s; only [`JianzhiApp::apply`]
//!   changes anything.
//! - [`worker`]: scenario runs, loads and exports off the UI thread.

mod charts;
mod command;
mod compare;
mod county_table;
pub mod frontier;
pub mod i18n;
pub mod map;
mod mapping;
mod present;
mod problems;
mod scenario_panel;
pub mod shortcuts;
pub mod state;
pub mod style;
mod tabs;
mod top_bar;
pub use crate::figures as view;
mod worker;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use eframe::egui;

use crate::error::Message;
use crate::progress::{Progress, Step};
use crate::scenario::Scenario;
use crate::workspace::Workspace;

pub use command::Command;
use i18n::Lang;
pub use state::AppState;
use state::{Loading, OpenScenario, Saved, Tab, TabId};
use view::FiguresView;
use worker::{Analyse, Done, LoadResult, Worker};

/// The window's inner size in points unless `--size` says otherwise.
pub const DEFAULT_SIZE: [f32; 2] = [1600.0, 1000.0];

/// How to start the app.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// Where the state is kept (default [`crate::builtin::config_dir`]).
    pub state_dir: Option<PathBuf>,
    /// Render to this PNG once the figures are shown, then close.
    pub screenshot: Option<PathBuf>,
    /// Open the map on this county (code or name).
    pub focus: Option<String>,
    /// Start in presentation mode.
    pub present: bool,
    /// Start on the comparison of the open scenarios.
    pub compare: bool,
    /// The window's inner size in points (default 1600 × 1000).
    pub size: Option<[f32; 2]>,
    /// The interface language, instead of the one saved.
    pub lang: Option<Lang>,
    /// A dataset folder (or the country's, or a scenario file) opened at launch, in the
    /// background; the demo's scenarios are not analysed while it loads.
    pub open: Option<PathBuf>,
    /// When the program started (for `--screenshot`'s time to the figures).
    pub started: Option<Instant>,
}

pub struct JianzhiApp {
    pub state: AppState,
    /// The map's view, selection and tools.
    pub map: map::View,
    /// The path being typed in the top bar.
    pub path_input: String,
    worker: Worker,
    next_tab: u64,
    load_generation: u64,
    frames: u64,
    /// When the saved state first changed since it was last written to disk.
    unsaved_since: Option<Instant>,
    fonts_installed: bool,
    state_dir: PathBuf,
    screenshot: Option<PathBuf>,
    screenshot_requested: bool,
    /// A county to show on the map once the first analysis is there.
    focus: Option<String>,
    /// Presentation mode was just entered (`true`) or left: the window goes full screen and
    /// the type grows, or back, on the next frame.
    present_changed: Option<bool>,
    /// The zoom before presentation mode, restored when it ends.
    zoom_before: f32,
    /// The workbench's map while presenting, put back on leaving.
    workbench_view: Option<map::Snapshot>,
    /// When the program (or the app, in tests) started.
    started: Instant,
}

impl JianzhiApp {
    /// A new app on a workspace; `wake` (the UI's context) is repainted when background work
    /// finishes. The scenarios, language and theme of the last run are restored, else the
    /// `sichuan-2019` preset opens.
    pub fn new(wake: Option<egui::Context>, workspace: Arc<Workspace>, launch: Launch) -> Self {
        Self::with_reference(wake, workspace, None, launch)
    }

    /// As [`JianzhiApp::new`], with a later edition of the codes matched to the workspace's
    /// dataset, for the validation chart.
    pub fn with_reference(
        wake: Option<egui::Context>,
        workspace: Arc<Workspace>,
        reference: Option<crate::validate::Reference>,
        launch: Launch,
    ) -> Self {
        let state_dir = launch.state_dir.unwrap_or_else(crate::builtin::config_dir);
        let presets = crate::builtin::presets();
        let restored = Saved::restore(&state_dir);
        // A state file that was damaged (and moved aside) or missing pieces is written whole
        // again soon, not only once something changes.
        let rewrite = !restored.notes.is_empty();
        let mut problems = restored.notes;
        let saved = restored.saved.unwrap_or_default();
        let dataset = workspace.dataset().provenance.name.clone();
        let (open, active, parked) = reopen(&saved, &workspace, &presets);
        let (worker, failed) = Worker::start(move || {
            if let Some(ctx) = &wake {
                ctx.request_repaint();
            }
        });
        problems.extend(failed);
        let before = Arc::new(FiguresView::before_only(&workspace));
        let geometry = Arc::new(crate::map::MapGeometry::new(workspace.dataset()));
        let mut app = Self {
            map: map::View::new(geometry.clone()),
            next_tab: open.len() as u64,
            state: AppState {
                settings: saved.settings(),
                open,
                active,
                workspace,
                reference: reference.map(Arc::new),
                geometry,
                highlighted_county: None,
                before,
                loading: None,
                exporting: None,
                sweeping: None,
                presenting: false,
                comparing: false,
                about: false,
                mapping: None,
                problems,
                warnings: Vec::new(),
                status: String::new(),
                presets,
                scenarios_of: dataset,
                parked,
            },
            path_input: String::new(),
            worker,
            load_generation: 0,
            frames: 0,
            unsaved_since: rewrite.then(Instant::now),
            fonts_installed: false,
            state_dir,
            screenshot: launch.screenshot,
            screenshot_requested: false,
            focus: launch.focus,
            present_changed: launch.present.then_some(true),
            zoom_before: 1.0,
            workbench_view: None,
            started: launch.started.unwrap_or_else(Instant::now),
        };
        app.state.presenting = launch.present;
        app.state.comparing = launch.compare;
        if let Some(lang) = launch.lang {
            app.state.settings.lang = lang;
        }
        let [w, h] = launch.size.unwrap_or(DEFAULT_SIZE);
        app.state.settings.layout =
            state::Layout::for_window(app.state.settings.layout, egui::vec2(w, h));
        app.open_at_launch(launch.open);
        app
    }

    /// Opens what was asked for at launch, else analyses the demo's scenarios. A dataset
    /// opened at launch has the cores to itself: its scenarios are analysed once it is in.
    fn open_at_launch(&mut self, open: Option<PathBuf>) {
        match open {
            Some(dir) if crate::national::is_country_dir(&dir) => self.apply(Command::OpenCountry),
            Some(path) => self.apply(Command::OpenPath(path)),
            None => {}
        }
        if self.state.loading.is_none() {
            for id in self.tab_ids() {
                self.recompute(id);
            }
        }
    }

    /// The ids of the open tabs, in order.
    fn tab_ids(&self) -> Vec<TabId> {
        self.state.open.iter().map(|o| o.tab.id).collect()
    }

    /// Asks the worker for a fresh analysis of tab `id`'s scenario.
    fn recompute(&mut self, id: TabId) {
        let (workspace, reference) = (self.state.workspace.clone(), self.state.reference.clone());
        let Some(open) = self.state.open_scenario_mut(id) else {
            return;
        };
        let tab = &mut open.tab;
        tab.generation += 1;
        tab.computing = true;
        let job = Analyse {
            tab: tab.id,
            generation: tab.generation,
            workspace,
            reference,
            scenario: Box::new(open.scenario.clone()),
            previous: tab.analysis.as_ref().map(|(analysis, _)| analysis.clone()),
        };
        if let Err(message) = self.worker.analyse(job) {
            if let Some(open) = self.state.open_scenario_mut(id) {
                open.tab.computing = false;
            }
            self.state.problems.push(message);
        }
    }

    /// Whether an analysis, a load or an export is under way.
    fn busy(&self) -> bool {
        self.state.open.iter().any(|o| o.tab.computing)
            || self.state.loading.is_some()
            || self.state.exporting.is_some()
            || self.state.sweeping.is_some()
    }

    /// Waits (for tests) until every analysis asked for has arrived, and any load or export
    /// ended.
    pub fn wait_for_analysis(&mut self, timeout: Duration) -> bool {
        self.wait_while(timeout, Self::busy)
    }

    /// Waits (for tests) until the dataset load under way, if any, has ended and its result
    /// is in place; its analyses may still be computing.
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
            Done::Analysed {
                tab,
                generation,
                result,
            } => {
                // A result of a closed tab, or of an older edit, is dropped.
                let id = tab;
                let Some(open) = self.state.open_scenario_mut(id) else {
                    return;
                };
                let tab = &mut open.tab;
                if generation != tab.generation {
                    return;
                }
                tab.computing = false;
                match result {
                    Ok(analysis) => {
                        let refused = tab.pending_edit.take().and_then(|position| {
                            let plan = &analysis.0.plan;
                            plan.edits
                                .iter()
                                .find(|r| r.position == position && !r.held())
                                .cloned()
                        });
                        // The plan is the same with or without a refused edit: show it while
                        // the edit is undone. The analysis it replaces (tens of thousands of
                        // small lists) is dropped off the UI thread.
                        if let Some(old) = tab.analysis.replace(analysis) {
                            rayon::spawn(move || drop(old));
                        }
                        if let Some(report) = refused {
                            self.undo_refused_edit(id, &report);
                        }
                    }
                    Err(message) => self.state.problems = vec![message],
                }
            }
            Done::Loaded {
                generation,
                result,
                dir,
                options,
            } => {
                if generation != self.load_generation {
                    return;
                }
                self.state.loading = None;
                match result {
                    LoadResult::Loaded {
                        workspace,
                        reference,
                        geometry,
                        warnings,
                    } => {
                        let parked = self.use_workspace(workspace, reference, geometry);
                        self.state.problems.clear();
                        self.state.warnings = warnings;
                        self.state.status = self.loaded_status(&dir, parked);
                    }
                    LoadResult::Invalid { problems, columns } => {
                        let kept =
                            |lang: Lang| format!("{} — {}", dir.display(), lang.t("kept_previous"));
                        let mut list = vec![Message::new(kept(Lang::En), kept(Lang::Zh))];
                        list.extend(problems);
                        self.state.problems = list;
                        if let Some(problem) = columns {
                            let base = options.columns.unwrap_or_else(|| {
                                let path = dir.join(crate::import::columns::FILE_NAME);
                                crate::import::columns::ColumnMap::read(&path).unwrap_or_default()
                            });
                            self.state.mapping = Some(mapping::Dialog::new(dir, *problem, base));
                        }
                    }
                    LoadResult::Cancelled => {
                        self.state.status = self.state.lang().t("load_cancelled").to_string();
                    }
                }
            }
            Done::Swept { tab, frontier } => {
                // A sweep the planner left (another dataset opened since) is dropped.
                let asked = self.state.sweeping.take().is_some_and(|s| s.tab == tab);
                match frontier {
                    Ok(frontier) if asked => {
                        if let Some(open) = self.state.open_scenario_mut(tab) {
                            open.tab.frontier = Some(Arc::from(frontier));
                        }
                    }
                    Err(Some(message)) if asked => self.state.problems = vec![message],
                    _ => {}
                }
            }
            Done::Exported { dir, result } => {
                self.state.exporting = None;
                match result {
                    Ok(files) => {
                        self.state.status = format!(
                            "{} {} ({files})",
                            self.state.lang().t("exported"),
                            dir.display()
                        )
                    }
                    Err(message) => self.state.problems = vec![message],
                }
            }
        }
    }

    /// Puts a dataset in use and computes every open scenario on it. The old plans index the
    /// old dataset: nothing is shown after the change until each scenario's own analysis of
    /// the new dataset arrives.
    pub fn set_workspace(&mut self, workspace: Arc<Workspace>) {
        let geometry = Arc::new(crate::map::MapGeometry::new(workspace.dataset()));
        self.state.status = self
            .use_workspace(workspace, None, geometry)
            .unwrap_or_default();
    }

    /// As [`JianzhiApp::set_workspace`], with the map geometry already built (on the load
    /// thread).
    /// Returns what [`JianzhiApp::follow_dataset`] says, if the open scenarios changed.
    fn use_workspace(
        &mut self,
        workspace: Arc<Workspace>,
        reference: Option<Arc<crate::validate::Reference>>,
        geometry: Arc<crate::map::MapGeometry>,
    ) -> Option<String> {
        self.state.before = Arc::new(FiguresView::before_only(&workspace));
        self.state.workspace = workspace;
        self.state.reference = reference;
        self.state.geometry = geometry.clone();
        self.state.highlighted_county = None;
        self.map.set_geometry(geometry);
        for open in &mut self.state.open {
            open.tab.analysis = None;
            open.tab.frontier = None;
        }
        if let Some(sweeping) = self.state.sweeping.take() {
            sweeping.progress.cancel();
        }
        let parked = self.follow_dataset();
        for id in self.tab_ids() {
            self.recompute(id);
        }
        parked
    }

    /// What the status line says of a dataset loaded from `dir`: its name, the folder where it
    /// is the planner's own (not the program's cache of the demo or a province), and what
    /// became of the scenarios of the previous one.
    fn loaded_status(&self, dir: &Path, parked: Option<String>) -> String {
        let l = self.state.lang();
        let name = &self.state.workspace.dataset().provenance.name;
        let cache = crate::builtin::bundle_dir().ok();
        let own = !cache.is_some_and(|c| dir.starts_with(c));
        let mut status = format!("{} {name}", l.t("loaded"));
        if own {
            status += &format!(" ({})", dir.display());
        }
        if let Some(parked) = parked {
            status += &format!(" · {parked}");
        }
        status
    }

    /// Keeps the open scenarios with the dataset they were made on: on another dataset they
    /// are parked (and saved) until it opens again, and the new one gets its own scenarios
    /// back, or a fresh one. The status line says so.
    fn follow_dataset(&mut self) -> Option<String> {
        let dataset = self.state.workspace.dataset().provenance.name.clone();
        if dataset == self.state.scenarios_of {
            return None;
        }
        let leaving = state::Parked {
            dataset: std::mem::replace(&mut self.state.scenarios_of, dataset.clone()),
            active: self.state.active_index(),
            scenarios: self.state.open.iter().map(|o| o.scenario.clone()).collect(),
        };
        let (mut scenarios, active) = unpark(&mut self.state.parked, &dataset);
        let said = format!(
            "{}: {} {}",
            leaving.dataset,
            leaving.scenarios.len(),
            self.state.lang().t("scenarios_parked")
        );
        self.state.parked.retain(|p| p.dataset != leaving.dataset);
        self.state.parked.push(leaving);
        if scenarios.is_empty() {
            scenarios.push(fresh_scenario(&self.state.presets, &self.state.workspace));
        }
        self.state.open = scenarios
            .into_iter()
            .map(|scenario| {
                let id = TabId(self.next_tab);
                self.next_tab += 1;
                OpenScenario {
                    scenario,
                    tab: Tab::new(id),
                }
            })
            .collect();
        self.state.active = self.state.open[active.min(self.state.open.len() - 1)]
            .tab
            .id;
        self.unsaved_since.get_or_insert_with(Instant::now);
        Some(said)
    }

    /// Undoes a hand edit made on the map that the engine refused, and says why on the map.
    fn undo_refused_edit(&mut self, id: TabId, report: &crate::plan::EditReport) {
        let Some(open) = self.state.open_scenario_mut(id) else {
            return;
        };
        if let Some(previous) = open.tab.undo.pop() {
            open.scenario = previous;
            open.tab.last_edit = None;
            let said =
                |lang: Lang| format!("{} — {}", report.describe(lang), lang.t("nothing_changed"));
            self.map.say(Message::new(said(Lang::En), said(Lang::Zh)));
            self.scenario_changed(id);
        }
    }

    /// Never lets an analysis of another dataset reach a panel. It cannot happen (a load clears
    /// the analyses and runs drop stale results); should it, a debug build stops here and a
    /// release build says so in the problems panel and computes the right one.
    fn discard_analyses_of_another_dataset(&mut self) {
        for id in self.tab_ids() {
            let workspace = self.state.workspace.clone();
            let Some(open) = self.state.open_scenario_mut(id) else {
                continue;
            };
            let stale = open
                .tab
                .analysis
                .as_ref()
                .is_some_and(|(a, _)| !a.is_of(&workspace));
            if stale {
                debug_assert!(false, "an analysis of another dataset is kept");
                open.tab.analysis = None;
                self.state.problems.push(crate::tr!(
                    "internal error: the figures shown were of another dataset; they were discarded and are being recomputed",
                    "内部错误：显示的指标属于另一数据集，已丢弃并重新计算"
                ));
                self.recompute(id);
            }
        }
    }

    /// Shows the county asked for at launch, once the scenario in front has its figures.
    fn focus_when_ready(&mut self) {
        // A dataset asked for at launch (a province, the country) is still loading.
        if self.focus.is_none() || self.state.analysis().is_none() || self.state.loading.is_some() {
            return;
        }
        let Some(wanted) = self.focus.take() else {
            return;
        };
        let county = self
            .state
            .workspace
            .dataset()
            .counties
            .iter_enumerated()
            .find(|(_, c)| c.code == wanted || c.name == wanted)
            .map(|(k, _)| k);
        match county {
            Some(k) => self.apply(Command::FocusCounty(k)),
            None => self.state.problems.push(crate::tr!(
                "--focus: no county is called '{wanted}'",
                "--focus：没有名为「{wanted}」的区县"
            )),
        }
    }

    /// Applies one command.
    pub fn apply(&mut self, command: Command) {
        use Command as C;
        match command {
            C::EditScenario { .. } | C::Undo | C::Redo | C::LoadPreset(_) | C::Edit(_) => {
                self.apply_edit(command)
            }
            C::OpenPath(_)
            | C::OpenProvince(_)
            | C::OpenCountry
            | C::CancelLoad
            | C::SaveScenario(_)
            | C::Export(_)
            | C::CancelExport => self.apply_file(command),
            C::SweepFrontier => self.start_sweep(),
            C::CancelFrontier => {
                if let Some(sweeping) = &self.state.sweeping {
                    sweeping.progress.cancel();
                }
            }
            C::NewScenario | C::SelectScenario(_) | C::CloseScenario(_) => self.apply_tab(command),
            C::HighlightCounty(_) | C::FocusCounty(_) | C::FocusEdit(_) => self.apply_map(command),
            C::MapColumn(..) | C::SetSaveMapping(_) | C::ApplyMapping | C::CloseMapping => {
                self.apply_mapping(command)
            }
            _ => self.apply_setting(command),
        }
    }

    /// An edit of the scenario in front, its undo and redo.
    fn apply_edit(&mut self, command: Command) {
        let active = self.state.active;
        match command {
            Command::EditScenario { scenario, coalesce } => self.edit(*scenario, coalesce),
            Command::Undo | Command::Redo => {
                let Some(open) = self.state.open_scenario_mut(active) else {
                    return;
                };
                let tab = &mut open.tab;
                tab.pending_edit = None;
                let (from, to) = match command {
                    Command::Undo => (&mut tab.undo, &mut tab.redo),
                    _ => (&mut tab.redo, &mut tab.undo),
                };
                if let Some(other) = from.pop() {
                    to.push(std::mem::replace(&mut open.scenario, other));
                    tab.last_edit = None;
                    self.scenario_changed(active);
                }
            }
            Command::LoadPreset(name) => {
                if let Some((_, path)) = self.state.presets.iter().find(|(n, _)| *n == name) {
                    match Scenario::read(path) {
                        Ok(s) => self.edit(s, false),
                        Err(e) => self.state.problems = vec![scenario_problem(&e)],
                    }
                }
            }
            Command::Edit(edit) => {
                let mut scenario = self.state.scenario().clone();
                scenario.edits.push(edit);
                let position = scenario.edits.len() - 1;
                self.edit(scenario, false);
                if let Some(open) = self.state.open_scenario_mut(active) {
                    open.tab.pending_edit = Some(position);
                }
            }
            _ => {}
        }
    }

    /// Puts `scenario` in front in place of the one there (undoable); `coalesce` merges the
    /// edit with the previous one of a drag.
    fn edit(&mut self, scenario: Scenario, coalesce: bool) {
        let active = self.state.active;
        let Some(open) = self.state.open_scenario_mut(active) else {
            return;
        };
        if scenario == open.scenario {
            return;
        }
        let tab = &mut open.tab;
        tab.pending_edit = None;
        let recent = tab
            .last_edit
            .is_some_and(|t| t.elapsed() < Duration::from_millis(800));
        if !(coalesce && recent) {
            tab.undo.push(open.scenario.clone());
        }
        tab.redo.clear();
        tab.last_edit = Some(Instant::now());
        open.scenario = scenario;
        self.scenario_changed(active);
    }

    /// Files: datasets opened and loads cancelled, scenarios saved, exports.
    fn apply_file(&mut self, command: Command) {
        match command {
            Command::OpenPath(path) => self.open_path(&path),
            Command::OpenProvince(code) => {
                let province = crate::national::PROVINCES.iter().find(|p| p.code == code);
                match province.map(crate::national::province_dir) {
                    Some(Ok(dir)) => self.start_load(dir, crate::import::LoadOptions::default()),
                    Some(Err(e)) => {
                        self.state.status = e.into_import(Path::new(code)).to_string();
                    }
                    None => {}
                }
            }
            // The country's folder loads every province together (see the worker).
            Command::OpenCountry => match crate::national::national_dir() {
                Ok(dir) => self.start_load(dir, crate::import::LoadOptions::default()),
                Err(e) => self.state.status = e.to_string(),
            },
            Command::CancelLoad => self.cancel_load(),
            Command::SaveScenario(path) => self.save_scenario(&path),
            Command::Export(dir) => self.start_export(dir),
            Command::CancelExport => {
                if let Some(exporting) = &self.state.exporting {
                    exporting.progress.cancel();
                }
            }
            _ => {}
        }
    }

    /// Writes the scenario in front to `path`.
    fn save_scenario(&mut self, path: &Path) {
        let text = self.state.scenario().to_toml();
        match crate::report::write_atomic(path, text.as_bytes()) {
            Ok(()) => {
                self.state.status = format!("{} {}", self.state.lang().t("saved"), path.display())
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

    /// Exports the analysis in front into `dir` in the background.
    fn start_export(&mut self, dir: PathBuf) {
        let Some((analysis, _)) = self.state.tab().analysis.clone() else {
            return;
        };
        if self.state.exporting.is_some() || !analysis.is_of(&self.state.workspace) {
            return;
        }
        let progress = Arc::new(Progress::new());
        self.state.exporting = Some(state::Exporting {
            dir: dir.clone(),
            progress: progress.clone(),
        });
        let options = crate::report::export::ExportOptions {
            formats: self.state.settings.export_formats.clone(),
            lang: self.state.lang(),
            csv_lang: None,
            crs: self
                .state
                .settings
                .export_crs
                .and_then(|code| crate::crs::Crs::from_epsg(code).ok()),
        };
        self.worker.export(
            analysis,
            dir,
            options,
            self.state.geometry.clone(),
            progress,
        );
    }

    /// The open scenarios: a new one, the one in front, one closed.
    fn apply_tab(&mut self, command: Command) {
        match command {
            Command::NewScenario => {
                let mut copy = self.state.scenario().clone();
                copy.name = format!("{} ({})", copy.name, self.state.lang().t("copy"));
                self.open_tab(copy);
            }
            Command::SelectScenario(id) if self.state.index_of(id).is_some() => {
                self.state.active = id;
                self.saved_changed();
            }
            Command::CloseScenario(id) => {
                let Some(k) = self.state.index_of(id) else {
                    return;
                };
                if self.state.open.len() > 1 {
                    self.state.open.remove(k);
                    if self.state.active == id {
                        let next = k.min(self.state.open.len() - 1);
                        self.state.active = self.state.open[next].tab.id;
                    }
                    self.saved_changed();
                }
            }
            _ => {}
        }
    }

    /// The map and the county table: a county marked or focused, an edit shown.
    fn apply_map(&mut self, command: Command) {
        match command {
            Command::HighlightCounty(county) => self.state.highlighted_county = Some(county),
            Command::FocusCounty(county) => {
                self.state.highlighted_county = Some(county);
                self.map.focus_county(county);
            }
            Command::FocusEdit(k) => {
                if let Some(edit) = self.state.scenario().edits.get(k) {
                    let codes: Vec<String> = edit.codes.iter().chain(&edit.to).cloned().collect();
                    let level = edit.level;
                    let analysis = self.state.tab().analysis.as_ref().map(|(a, _)| a.clone());
                    self.map.focus_codes(level, &codes, analysis.as_deref());
                }
            }
            _ => {}
        }
    }

    /// The column-mapping dialog.
    fn apply_mapping(&mut self, command: Command) {
        match command {
            Command::MapColumn(column, index) => {
                if let Some(dialog) = &mut self.state.mapping {
                    dialog.choose(column, index);
                }
            }
            Command::SetSaveMapping(on) => {
                if let Some(dialog) = &mut self.state.mapping {
                    dialog.save = on;
                }
            }
            Command::ApplyMapping => {
                let Some(dialog) = self.state.mapping.take() else {
                    return;
                };
                let columns = dialog.columns();
                if dialog.save {
                    let path = dialog.dir.join(crate::import::columns::FILE_NAME);
                    if let Err(problem) = columns.write(&path) {
                        self.state.problems = vec![problem.message()];
                    }
                }
                let options = crate::import::LoadOptions {
                    columns: Some(columns),
                };
                self.start_load(dialog.dir, options);
            }
            Command::CloseMapping => self.state.mapping = None,
            _ => {}
        }
    }

    /// The settings kept (language, theme, layout, export formats) and the modes of the
    /// window (presentation, comparison, the About box, the problems panel).
    fn apply_setting(&mut self, command: Command) {
        let settings = &mut self.state.settings;
        match command {
            Command::SetExportFormats(formats) if !formats.is_empty() => {
                settings.export_formats = formats
            }
            Command::SetExportCrs(code) => settings.export_crs = code,
            Command::SetLanguage(lang) => settings.lang = lang,
            Command::SetDark(dark) => settings.dark = dark,
            Command::SetLayout(layout) => settings.layout = layout,
            Command::DismissProblems => {
                self.state.problems.clear();
                self.state.warnings.clear();
                return;
            }
            Command::SetPresenting(on) => {
                if on != self.state.presenting {
                    self.state.presenting = on;
                    self.present_changed = Some(on);
                    // The workbench's map is kept as it was and put back on leaving; the
                    // presentation shows the same part of the world, fitted to its frame.
                    if on {
                        let workbench = self.map.snapshot();
                        self.map.present(&workbench);
                        self.workbench_view = Some(workbench);
                    } else if let Some(workbench) = self.workbench_view.take() {
                        self.map.restore(workbench);
                    }
                }
                return;
            }
            Command::SetComparing(on) => {
                self.state.comparing = on;
                return;
            }
            Command::SetAbout(on) => {
                self.state.about = on;
                return;
            }
            _ => return,
        }
        self.saved_changed();
    }

    /// Opens `scenario` in a new tab in front.
    fn open_tab(&mut self, scenario: Scenario) {
        let id = TabId(self.next_tab);
        self.next_tab += 1;
        self.state.open.push(OpenScenario {
            scenario,
            tab: Tab::new(id),
        });
        self.state.active = id;
        self.scenario_changed(id);
    }

    fn scenario_changed(&mut self, id: TabId) {
        self.saved_changed();
        self.recompute(id);
    }

    fn saved_changed(&mut self) {
        self.unsaved_since.get_or_insert_with(Instant::now);
    }

    /// Writes the saved state once edits pause (not on every frame of a drag), and at exit. A
    /// failed write shows in the problems panel.
    fn persist_if_due(&mut self, force: bool) {
        if let Some(since) = self.unsaved_since
            && (force || since.elapsed() > Duration::from_millis(500))
        {
            self.unsaved_since = None;
            if let Err(e) = self.state.saved().write(&self.state_dir) {
                let message = crate::tr!(
                    "{}: cannot save the open scenarios: {e}",
                    "{}：无法保存打开的方案：{e}",
                    self.state_dir.display()
                );
                eprintln!("jianzhi: {}", message.en);
                self.state.problems.push(message);
            }
        }
    }

    /// Opens a dataset folder (or a file inside one), or a scenario file in a new tab.
    fn open_path(&mut self, path: &Path) {
        let is_scenario = path.extension().is_some_and(|e| e == "toml")
            && path
                .file_name()
                .is_none_or(|n| n != "dataset.toml" && n != crate::import::columns::FILE_NAME);
        if is_scenario {
            match Scenario::read(path) {
                Ok(s) => self.open_tab(s),
                Err(e) => self.state.problems = vec![scenario_problem(&e)],
            }
            return;
        }
        let dir = if path.is_dir() {
            path.to_path_buf()
        } else {
            path.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        self.start_load(dir, crate::import::LoadOptions::default());
    }

    /// Loads the dataset in `dir` in the background; a new load replaces one under way.
    /// Sweeps the township target of the scenario in front on a thread of its own (the
    /// frontier's 61 points), with progress and Cancel.
    fn start_sweep(&mut self) {
        if self.state.sweeping.is_some() {
            return;
        }
        let tab = self.state.active;
        let Some(open) = self.state.open_scenario_mut(tab) else {
            return;
        };
        let scenario = open.scenario.clone();
        let progress = Arc::new(crate::progress::Progress::new());
        self.state.sweeping = Some(state::Sweeping {
            tab,
            progress: progress.clone(),
        });
        self.worker
            .sweep(tab, self.state.workspace.clone(), scenario, progress);
    }

    fn start_load(&mut self, dir: PathBuf, options: crate::import::LoadOptions) {
        self.cancel_load();
        self.state.mapping = None;
        self.load_generation += 1;
        let progress = Arc::new(Progress::new());
        self.state.loading = Some(Loading {
            dir: dir.clone(),
            progress: progress.clone(),
        });
        self.worker
            .load(self.load_generation, dir, options, progress);
    }

    /// Cancels the load under way, if any: its result, whatever it is, will be dropped.
    fn cancel_load(&mut self) {
        if let Some(loading) = self.state.loading.take() {
            loading.progress.cancel();
            self.load_generation += 1;
            self.state.status = self.state.lang().t("load_cancelled").to_string();
        }
    }

    /// Keyboard shortcuts and files dropped on the window.
    fn input_commands(ctx: &egui::Context, state: &AppState) -> Vec<Command> {
        let mut commands = Vec::new();
        // Files dropped on the window open like typed paths.
        ctx.input(|i| {
            for f in &i.raw.dropped_files {
                commands.push(Command::OpenPath(f.path().to_path_buf()));
            }
        });
        commands.extend(shortcuts::pressed(ctx, state));
        commands
    }

    /// Draws one frame and applies the commands the panels returned.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if !self.fonts_installed {
            style::install_fonts(&ctx);
            self.fonts_installed = true;
        }
        while let Ok(done) = self.worker.done.try_recv() {
            self.receive(done);
        }
        self.discard_analyses_of_another_dataset();
        self.focus_when_ready();
        ctx.set_theme(if self.state.settings.dark {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
        self.switch_presentation(&ctx);
        if self.state.presenting {
            let commands = present::show(ui, &self.state, &mut self.map);
            for c in commands {
                self.apply(c);
            }
            self.after_frame(&ctx);
            return;
        }
        let mut commands = Self::input_commands(&ctx, &self.state);
        let state = &self.state;
        let l = state.lang();
        let layout = state.settings.layout;
        egui::Panel::top("top").show(ui, |ui| {
            commands.extend(top_bar::show(ui, state, &mut self.path_input));
            ui.separator();
            commands.extend(tabs::show(ui, state));
        });
        let left = egui::Panel::left("scenario")
            .resizable(true)
            .default_size(layout.scenario_panel_width)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .show(ui, |ui| commands.extend(scenario_panel::show(ui, state)));
                keep_size(ui);
            });
        // The comparison's figures need room for a column per scenario: a panel of its own,
        // wider, whose size does not replace the figures panel's.
        let right = if state.comparing {
            let wide = (ctx.content_rect().width() * 0.45).clamp(480.0, 760.0);
            egui::Panel::right("compare_figures").default_size(wide)
        } else {
            egui::Panel::right("figures").default_size(layout.figures_panel_width)
        };
        let mut right = right.resizable(true).show(ui, |ui| {
            let mut out = Vec::new();
            if state.comparing {
                compare::figures(ui, state)
            } else {
                charts::show(ui, l, state.figures(), &mut |ui| {
                    out = frontier::show(ui, l, state);
                });
            }
            keep_size(ui);
            out
        });
        commands.append(&mut right.inner);
        let bottom = egui::Panel::bottom("counties")
            .resizable(true)
            .default_size(layout.county_table_height)
            .show(ui, |ui| {
                if state.comparing {
                    compare::counties(ui, state)
                } else {
                    commands.extend(county_table::show(
                        ui,
                        l,
                        state.figures(),
                        state.highlighted_county,
                    ))
                }
                keep_size(ui);
            });
        // Panel sizes the user dragged are kept for the next start.
        let now = state::Layout {
            scenario_panel_width: left.response.rect.width().round(),
            figures_panel_width: if state.comparing {
                layout.figures_panel_width
            } else {
                right.response.rect.width().round()
            },
            county_table_height: bottom.response.rect.height().round(),
        };
        if now != layout {
            commands.push(Command::SetLayout(now));
        }
        let map = &mut self.map;
        egui::CentralPanel::default().show(ui, |ui| commands.extend(map::show(ui, state, map)));
        if !state.problems.is_empty() || !state.warnings.is_empty() {
            commands.extend(problems::show(&ctx, state));
        }
        if state.about {
            commands.extend(about_box(&ctx, l));
        }
        if let Some(dialog) = &state.mapping {
            commands.extend(mapping::show(&ctx, l, dialog));
        }
        for c in commands {
            self.apply(c);
        }
        self.after_frame(&ctx);
    }

    /// What every frame ends with: repaints while work is under way, saving the state, and
    /// the screenshot of `--screenshot`.
    fn after_frame(&mut self, ctx: &egui::Context) {
        if self.busy() {
            ctx.request_repaint_after(style::SPINNER_TICK);
        }
        self.persist_if_due(false);
        if self.unsaved_since.is_some() {
            ctx.request_repaint_after(Duration::from_millis(600));
        }
        self.frames += 1;
        self.maybe_screenshot(ctx);
    }

    /// Enters or leaves full screen and large type when presentation mode changed.
    fn switch_presentation(&mut self, ctx: &egui::Context) {
        let Some(on) = self.present_changed.take() else {
            return;
        };
        if on {
            self.zoom_before = ctx.zoom_factor();
            ctx.set_zoom_factor(self.zoom_before * present::ZOOM);
        } else {
            ctx.set_zoom_factor(self.zoom_before);
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(on));
    }

    /// What the window shows, in a line: the dataset and its township and village counts
    /// before and after.
    fn shown_figures(&self) -> String {
        let (before, after) = self.state.figures().headline;
        let count = |n: Option<usize>| n.map_or("…".to_string(), |n| n.to_string());
        format!(
            "{}: townships {} -> {}, villages {} -> {}",
            self.state.workspace.dataset().provenance.name,
            before[0],
            count(after.map(|a| a[0])),
            before[1],
            count(after.map(|a| a[1])),
        )
    }

    /// In `--screenshot` mode: once the analysis is shown, capture the window and close.
    fn maybe_screenshot(&mut self, ctx: &egui::Context) {
        let Some(path) = self.screenshot.clone() else {
            return;
        };
        if self.screenshot_requested || self.busy() {
            // The background work wakes the window when it is done; drawing meanwhile at
            // full speed would take a core from it.
            ctx.request_repaint_after(style::SPINNER_TICK);
            return;
        }
        if self.frames < 5 || self.state.analysis().is_none() {
            ctx.request_repaint();
            return;
        }
        self.screenshot_requested = true;
        let shown = self.shown_figures();
        let after = self.started.elapsed().as_secs_f64();
        let close_ctx = ctx.clone();
        ctx.request_screenshot(move |image: Arc<egui::ColorImage>| {
            let [w, h] = image.size;
            let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
            let saved = image::RgbaImage::from_raw(w as u32, h as u32, bytes)
                .map(|img| img.save(&path))
                .is_some_and(|r| r.is_ok());
            if saved {
                println!(
                    "saved {} ({w}x{h}): {shown}; figures shown {after:.1} s after start",
                    path.display()
                );
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

/// The scenario a first start opens: the `sichuan-2019` preset, else an empty one.
fn default_scenario(presets: &[(String, PathBuf)]) -> Scenario {
    presets
        .iter()
        .find(|(n, _)| n == "sichuan-2019")
        .and_then(|(_, p)| Scenario::read(p).ok())
        .unwrap_or_else(|| Scenario::empty("—"))
}

/// The scenario a dataset opens with when it has none of its own: the default preset, named
/// for the dataset where it is not of Sichuan, the province the preset was made on.
fn fresh_scenario(presets: &[(String, PathBuf)], workspace: &Workspace) -> Scenario {
    let mut scenario = default_scenario(presets);
    let sichuan = workspace
        .provinces()
        .iter()
        .all(|p| p.is_some_and(|p| p.code == crate::national::SICHUAN));
    if !sichuan {
        let dataset = &workspace.dataset().provenance.name;
        scenario.name = format!("{} · {dataset}", scenario.name);
    }
    scenario
}

/// Keeps a panel the size the planner gave it (or its default): egui fits a panel to its
/// content, so a panel showing less for a frame (a message while figures compute; a table a
/// pixel short) would shrink, and keep shrinking.
fn keep_size(ui: &mut egui::Ui) {
    ui.expand_to_include_rect(ui.max_rect());
}

/// The scenarios to open on `workspace` from the state saved: the saved ones if they were
/// made on its dataset (or on one unknown), else its own parked ones, else a fresh one; with
/// the tab in front and the scenarios of other datasets.
fn reopen(
    saved: &Saved,
    workspace: &Workspace,
    presets: &[(String, PathBuf)],
) -> (Vec<OpenScenario>, TabId, Vec<state::Parked>) {
    let dataset = &workspace.dataset().provenance.name;
    let mut parked = saved.parked.clone();
    let (mut scenarios, active) = if saved.dataset.is_empty() || &saved.dataset == dataset {
        (saved.scenarios.clone(), saved.active)
    } else {
        parked.push(state::Parked {
            dataset: saved.dataset.clone(),
            active: saved.active,
            scenarios: saved.scenarios.clone(),
        });
        unpark(&mut parked, dataset)
    };
    if scenarios.is_empty() {
        scenarios.push(fresh_scenario(presets, workspace));
    }
    let open: Vec<OpenScenario> = scenarios
        .into_iter()
        .enumerate()
        .map(|(k, scenario)| OpenScenario {
            scenario,
            tab: Tab::new(TabId(k as u64)),
        })
        .collect();
    let active = TabId(active.min(open.len() - 1) as u64);
    (open, active, parked)
}

/// The scenarios parked for `dataset`, taken out of `parked` with the one in front (none if
/// it has none).
fn unpark(parked: &mut Vec<state::Parked>, dataset: &str) -> (Vec<Scenario>, usize) {
    match parked.iter().position(|p| p.dataset == dataset) {
        Some(k) => {
            let p = parked.remove(k);
            (p.scenarios, p.active)
        }
        None => (Vec::new(), 0),
    }
}

/// The text key of a loading step.
fn step_key(step: Step) -> &'static str {
    match step {
        Step::Starting => "step_starting",
        Step::Modelling => "step_modelling",
        Step::Boundaries => "step_boundaries",
        Step::Counties => "step_counties",
        Step::Townships => "step_townships",
        Step::Villages => "step_villages",
        Step::Checking => "step_checking",
        Step::Adjacency => "step_adjacency",
        Step::Terrain => "step_terrain",
        Step::Coverage => "step_coverage",
        Step::Writing => "step_writing",
        Step::Done => "step_done",
    }
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
pub fn run(launch: Launch) -> Result<(), StartError> {
    let launch = Launch {
        started: launch.started.or_else(|| Some(Instant::now())),
        ..launch
    };
    let size = launch.size.unwrap_or(DEFAULT_SIZE);
    let demo_dir = crate::builtin::demo_dir();
    let demo = crate::import::load_dataset(&demo_dir)?;
    let reference = crate::validate::reference_in(&demo_dir, &demo.dataset)?;
    let workspace = Arc::new(Workspace::new(demo.dataset));
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size(size)
            .with_title("建制 Jianzhi")
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "jianzhi",
        options,
        Box::new(move |cc| {
            let app =
                JianzhiApp::with_reference(Some(cc.egui_ctx.clone()), workspace, reference, launch);
            Ok(Box::new(app))
        }),
    )?;
    Ok(())
}

/// A scenario file that could not be used, in both languages.
fn scenario_problem(e: &crate::scenario::ScenarioError) -> Message {
    Message::new(e.describe(Lang::En), e.describe(Lang::Zh))
}

/// The About box: the version, the data sources and the licences (as `--version` says).
fn about_box(ctx: &egui::Context, l: Lang) -> Vec<Command> {
    let mut open = true;
    egui::Window::new(l.t("about"))
        .open(&mut open)
        .collapsible(false)
        .default_width(620.0)
        .show(ctx, |ui| {
            egui::ScrollArea::vertical()
                .max_height(560.0)
                .show(ui, |ui| {
                    ui.heading(l.t("shortcuts"));
                    shortcuts::help(ui, l);
                    ui.separator();
                    ui.label(crate::builtin::about());
                });
        });
    if open {
        Vec::new()
    } else {
        vec![Command::SetAbout(false)]
    }
}
