//! The app's state: what survives a restart ([`Saved`], one serializable struct) apart from
//! what lives only while the app runs (analyses, undo histories, loads, text being typed).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::view::FiguresView;
use crate::error::Message;
use crate::lang::Lang;
use crate::progress::Progress;
use crate::scenario::Scenario;
use crate::workspace::{Analysis, Workspace};

/// The file in the state folder that keeps [`Saved`].
pub const STATE_FILE: &str = "state.toml";
/// The one-scenario file earlier versions kept; read if there is no state file yet.
const LEGACY_SCENARIO: &str = "last-scenario.toml";
/// The format version of [`STATE_FILE`]: since 2, a whole file ends with [`END_LINE`].
const STATE_VERSION: u32 = 2;

/// Sizes of the panels, in points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Layout {
    pub scenario_panel_width: f32,
    pub figures_panel_width: f32,
    pub county_table_height: f32,
}

impl Layout {
    /// The layout to start with in a window of `size`: the one the planner left, or where
    /// they never resized a panel, side panels in proportion to the window (so the map keeps
    /// about half of a 1280-point window) and a county table of a quarter of its height.
    pub fn for_window(saved: Layout, size: eframe::egui::Vec2) -> Layout {
        if saved != Layout::default() || size.x < 1.0 {
            return saved;
        }
        Layout {
            scenario_panel_width: (size.x * 0.2).clamp(250.0, 330.0).round(),
            figures_panel_width: (size.x * 0.3).clamp(370.0, 560.0).round(),
            county_table_height: (size.y * 0.24).clamp(170.0, 300.0).round(),
        }
    }
}

impl Default for Layout {
    fn default() -> Self {
        Self {
            scenario_panel_width: 330.0,
            figures_panel_width: 560.0,
            county_table_height: 170.0,
        }
    }
}

/// Everything that survives a restart: the open scenarios, which one is in front, the
/// language, the theme and the layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Saved {
    pub version: u32,
    pub lang: Lang,
    pub dark: bool,
    /// The scenario in front, an index into `scenarios`.
    pub active: usize,
    pub layout: Layout,
    /// The open scenarios, in tab order; never empty.
    pub scenarios: Vec<Scenario>,
    /// The files an export writes.
    pub export_formats: Vec<crate::report::export::Format>,
    /// The EPSG code of the system GIS layers are written in; none for the dataset's own.
    pub export_crs: Option<u32>,
    /// The name of the dataset the open scenarios were made on (empty: unknown, in a file
    /// older than this field; they stay with whichever dataset opens).
    pub dataset: String,
    /// The scenarios of other datasets, kept until their dataset opens again.
    pub parked: Vec<Parked>,
}

/// The scenarios of a dataset not in use, kept until it opens again: a scenario never follows
/// the planner to another province unasked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Parked {
    /// The dataset's name (its provenance).
    pub dataset: String,
    /// The scenario that was in front, an index into `scenarios`.
    pub active: usize,
    pub scenarios: Vec<Scenario>,
}

impl Default for Saved {
    fn default() -> Self {
        Self {
            version: STATE_VERSION,
            lang: Lang::Zh,
            dark: false,
            active: 0,
            layout: Layout::default(),
            scenarios: Vec::new(),
            export_formats: vec![
                crate::report::export::Format::Csv,
                crate::report::export::Format::Xlsx,
                crate::report::export::Format::Html,
            ],
            export_crs: None,
            dataset: String::new(),
            parked: Vec::new(),
        }
    }
}

/// The previous good copy of [`STATE_FILE`], kept beside it.
pub const BACKUP_FILE: &str = "state.toml.bak";
/// The last line of a state file written whole: a file without it was cut short.
const END_LINE: &str = "# end of state";

/// What a start restores of the state kept in a folder, and what it has to say about it.
#[derive(Debug, Default)]
pub struct Restored {
    /// The state, if anything of it could be read.
    pub saved: Option<Saved>,
    /// What happened to a state file that could not be read whole: where it was moved and
    /// what was kept (shown in the problems panel).
    pub notes: Vec<Message>,
}

impl Saved {
    /// The state kept in `dir`: `state.toml`, else the scenario of an earlier version's
    /// `last-scenario.toml`; `None` if there is neither. A state file that cannot be read
    /// whole is never overwritten: it is moved aside (`state.damaged-TIME.toml`), what can
    /// be read of it is restored (each scenario that parses), or else the previous good copy
    /// (`state.toml.bak`); the notes say which, and where the damaged file is.
    pub fn restore(dir: &Path) -> Restored {
        let path = dir.join(STATE_FILE);
        let backup = dir.join(BACKUP_FILE);
        if !path.is_file() {
            return match (Self::read_whole(&backup), Self::read_legacy(dir)) {
                (Ok(saved), _) => Restored {
                    saved: Some(saved),
                    notes: vec![crate::tr!(
                        "{}: there was no state file; the previous copy was restored",
                        "{}：没有状态文件；已恢复上一份副本",
                        backup.display()
                    )],
                },
                (Err(_), legacy) => legacy,
            };
        }
        let damage = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => match Self::parse_whole(&text) {
                    Ok(saved) => {
                        return Restored {
                            saved: Some(saved),
                            notes: Vec::new(),
                        };
                    }
                    Err(e) => (Some(text), e),
                },
                Err(e) => (None, e.to_string()),
            },
            Err(e) => (None, e.to_string()),
        };
        Self::recover(dir, damage)
    }

    /// Recovers from a state file that could not be read whole (`text`, if it was text).
    fn recover(dir: &Path, (text, reason): (Option<String>, String)) -> Restored {
        let path = dir.join(STATE_FILE);
        let aside = dir.join(format!(
            "state.damaged-{}.toml",
            jiff::ZonedDateTime::now().strftime("%Y%m%d-%H%M%S")
        ));
        let mut notes = Vec::new();
        match std::fs::rename(&path, &aside) {
            Ok(()) => notes.push(crate::tr!(
                "{}: the saved state could not be read whole ({reason}); it was moved to {} and kept",
                "{}：保存的状态无法完整读取（{reason}）；已移至 {} 保留",
                path.display(),
                aside.display()
            )),
            Err(e) => notes.push(crate::tr!(
                "{}: the saved state could not be read whole ({reason}) nor moved aside ({e})",
                "{}：保存的状态无法完整读取（{reason}），也无法移开（{e}）",
                path.display()
            )),
        }
        let salvaged = text.as_deref().map(salvage).unwrap_or_default();
        let backup = Self::read_whole(&dir.join(BACKUP_FILE)).ok();
        let from_backup = backup
            .as_ref()
            .is_some_and(|b| b.scenarios.len() > salvaged.kept);
        let saved = if from_backup {
            notes.push(crate::tr!(
                "restored the previous copy ({}): {} scenarios",
                "已恢复上一份副本（{}）：{} 个方案",
                dir.join(BACKUP_FILE).display(),
                backup.as_ref().map_or(0, |b| b.scenarios.len())
            ));
            backup
        } else if salvaged.kept > 0 {
            notes.push(crate::tr!(
                "restored {} of its scenarios ({} could not be read)",
                "已恢复其中 {} 个方案（{} 个无法读取）",
                salvaged.kept,
                salvaged.lost
            ));
            salvaged.saved
        } else {
            notes.push(Message::new(
                "nothing of it could be read; the default scenario is open",
                "其中没有可读取的内容；已打开默认方案",
            ));
            None
        };
        Restored { saved, notes }
    }

    /// Reads a state file that must be whole.
    fn read_whole(path: &Path) -> Result<Saved, String> {
        let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        Self::parse_whole(&text)
    }

    /// Parses a state file that must be whole.
    fn parse_whole(text: &str) -> Result<Saved, String> {
        let mut saved: Saved = toml::from_str(text)
            .map_err(|e| e.to_string().lines().next().unwrap_or_default().to_string())?;
        // Since version 2 a whole file ends with the end line; one cut at a line's end still
        // parses, without the scenarios or settings that followed.
        if saved.version >= 2 && !text.trim_end().ends_with(END_LINE) {
            return Err("cut short: the end of the file is missing".into());
        }
        if saved.scenarios.is_empty() {
            return Err("no scenario".into());
        }
        saved.active = saved.active.min(saved.scenarios.len() - 1);
        Ok(saved)
    }

    /// The scenario of an earlier version's `last-scenario.toml`.
    fn read_legacy(dir: &Path) -> Restored {
        let legacy = dir.join(LEGACY_SCENARIO);
        if !legacy.is_file() {
            return Restored::default();
        }
        match Scenario::read(&legacy) {
            Ok(scenario) => Restored {
                saved: Some(Saved {
                    scenarios: vec![scenario],
                    ..Saved::default()
                }),
                notes: Vec::new(),
            },
            Err(e) => Restored {
                saved: None,
                notes: vec![Message::new(e.describe(Lang::En), e.describe(Lang::Zh))],
            },
        }
    }

    /// Writes the state into `dir` atomically, keeping the file it replaces (if it reads
    /// whole) as the previous good copy.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(STATE_FILE);
        if let Ok(previous) = std::fs::read_to_string(&path)
            && Self::parse_whole(&previous).is_ok()
        {
            crate::atomic::write_atomic(&dir.join(BACKUP_FILE), previous.as_bytes())?;
        }
        let current = Saved {
            version: STATE_VERSION,
            ..self.clone()
        };
        let text = toml::to_string_pretty(&current).map_err(std::io::Error::other)?;
        crate::atomic::write_atomic(
            &path,
            format!(
                "# Jianzhi: the open scenarios, language, theme and layout\n{text}\n{END_LINE}\n"
            )
            .as_bytes(),
        )
    }
}

/// What could be read of a damaged state file.
#[derive(Debug, Default)]
struct Salvaged {
    saved: Option<Saved>,
    kept: usize,
    lost: usize,
}

/// Reads what it can of a damaged state file: its settings (before the first scenario) if
/// they parse, and each scenario (each `[[scenarios]]` block, read on its own) that parses.
/// In a file cut short (without the end line), the last scenario may be cut too, and is
/// dropped even if what is left of it parses.
fn salvage(text: &str) -> Salvaged {
    let mut blocks: Vec<String> = vec![String::new()];
    for line in text.lines() {
        if line.trim() == "[[scenarios]]" {
            blocks.push(String::new());
        }
        if let Some(block) = blocks.last_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    let whole = text.trim_end().ends_with(END_LINE);
    let settings = blocks.remove(0);
    let mut saved: Saved = toml::from_str(&settings).unwrap_or_default();
    #[derive(Deserialize)]
    struct Block {
        scenarios: Vec<Scenario>,
    }
    let count = blocks.len();
    let mut lost = 0;
    saved.scenarios = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let parsed = toml::from_str::<Block>(block)
            .ok()
            .and_then(|b| b.scenarios.into_iter().next());
        match parsed {
            Some(scenario) if whole || i + 1 < count => saved.scenarios.push(scenario),
            _ => lost += 1,
        }
    }
    let kept = saved.scenarios.len();
    saved.active = saved.active.min(kept.saturating_sub(1));
    Salvaged {
        saved: (kept > 0).then_some(saved),
        kept,
        lost,
    }
}

/// Which tab a result belongs to: stable while the tab is open, never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TabId(pub u64);

/// What one open scenario has while the app runs.
#[derive(Debug)]
pub struct Tab {
    pub id: TabId,
    pub undo: Vec<Scenario>,
    pub redo: Vec<Scenario>,
    /// When the last edit was made, to merge the steps of a drag into one undo step.
    pub last_edit: Option<Instant>,
    /// The newest analysis asked for; older results are dropped.
    pub generation: u64,
    pub computing: bool,
    /// The newest finished analysis of the dataset in use, with its view model; `None` until
    /// the first arrives (and after the dataset changes).
    pub analysis: Option<(Arc<Analysis>, Arc<FiguresView>)>,
    /// A hand edit made on the map (its position in the edit list) whose fate is awaited: if
    /// the engine refuses it, it is undone.
    pub pending_edit: Option<usize>,
    /// The trade-off frontier of the scenario as it was swept (its township target), if swept.
    pub frontier: Option<Arc<Frontier>>,
}

/// A swept frontier and the scenario it was swept for.
#[derive(Debug, Clone)]
pub struct Frontier {
    pub points: Vec<crate::frontier::Point>,
    /// The scenario swept (its township target aside, what every point kept).
    pub scenario: Scenario,
}

impl Frontier {
    /// Whether the frontier is still that of `scenario`: the same rules but for the township
    /// target, which the sweep varied.
    pub fn is_of(&self, scenario: &Scenario) -> bool {
        use crate::frontier::at_target;
        use crate::scenario::LevelName::Townships;
        at_target(&self.scenario, Townships, 0.0) == at_target(scenario, Townships, 0.0)
    }
}

impl Tab {
    pub fn new(id: TabId) -> Self {
        Self {
            id,
            undo: Vec::new(),
            redo: Vec::new(),
            last_edit: None,
            generation: 0,
            computing: false,
            analysis: None,
            pending_edit: None,
            frontier: None,
        }
    }
}

/// A dataset load under way.
pub struct Loading {
    pub dir: PathBuf,
    pub progress: Arc<Progress>,
}

/// An export under way.
pub struct Exporting {
    pub dir: PathBuf,
    pub progress: Arc<Progress>,
}

/// A frontier sweep under way, for tab `tab`.
#[derive(Debug, Clone)]
pub struct Sweeping {
    pub tab: TabId,
    pub progress: Arc<Progress>,
}

/// The settings kept beside the open scenarios.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub lang: Lang,
    pub dark: bool,
    pub layout: Layout,
    /// The files an export writes.
    pub export_formats: Vec<crate::report::export::Format>,
    /// The EPSG code of the system GIS layers are written in; none for the dataset's own.
    pub export_crs: Option<u32>,
}

/// One open scenario: what is saved of it (the scenario) and what it has while the app runs
/// (its tab: id, undo history, analysis), side by side.
#[derive(Debug)]
pub struct OpenScenario {
    pub scenario: Scenario,
    pub tab: Tab,
}

impl Saved {
    /// The state to keep: the settings, the open scenarios in tab order, which is in front,
    /// the dataset they were made on and the scenarios of other datasets.
    pub fn of(state: &AppState) -> Self {
        let settings = &state.settings;
        Self {
            version: STATE_VERSION,
            lang: settings.lang,
            dark: settings.dark,
            active: state.active_index(),
            layout: settings.layout,
            scenarios: state.open.iter().map(|o| o.scenario.clone()).collect(),
            export_formats: settings.export_formats.clone(),
            export_crs: settings.export_crs,
            dataset: state.scenarios_of.clone(),
            parked: state.parked.clone(),
        }
    }

    /// The settings kept.
    pub fn settings(&self) -> Settings {
        Settings {
            lang: self.lang,
            dark: self.dark,
            layout: self.layout,
            export_formats: self.export_formats.clone(),
            export_crs: self.export_crs,
        }
    }
}

/// The app's state, as panels see it (read only: they return commands).
pub struct AppState {
    pub settings: Settings,
    /// The open scenarios, in tab order; never empty.
    pub open: Vec<OpenScenario>,
    /// The tab in front.
    pub active: TabId,
    pub workspace: Arc<Workspace>,
    /// A later edition of the codes matched to the dataset in use, for the validation chart
    /// (held here, beside the workspace it belongs to).
    pub reference: Option<Arc<crate::validate::Reference>>,
    /// The dataset in use on the map plane.
    pub geometry: Arc<crate::map::MapGeometry>,
    /// The county marked in the county table.
    pub highlighted_county: Option<crate::model::CountyId>,
    /// The figures of the dataset in use before any plan, shown while a tab's first analysis
    /// computes.
    pub before: Arc<FiguresView>,
    pub loading: Option<Loading>,
    /// The export under way: its folder and progress.
    pub exporting: Option<Exporting>,
    pub sweeping: Option<Sweeping>,
    /// Presentation mode: full screen, large type, map and charts only.
    pub presenting: bool,
    /// The comparison of the open scenarios in place of the figures of the one in front.
    pub comparing: bool,
    /// The About box is open.
    pub about: bool,
    /// The column-mapping dialog, open on a table whose columns were not all recognised.
    pub mapping: Option<super::mapping::Dialog>,
    /// Errors from the last failed load or command, shown in a panel.
    pub problems: Vec<Message>,
    /// Warnings of the last load (data loaded, with repairs or doubts), shown in that panel.
    pub warnings: Vec<Message>,
    pub status: String,
    pub presets: Vec<(String, PathBuf)>,
    /// The name of the dataset the open scenarios were made on.
    pub scenarios_of: String,
    /// The scenarios of other datasets, kept until their dataset opens again.
    pub parked: Vec<Parked>,
}

impl AppState {
    pub fn lang(&self) -> Lang {
        self.settings.lang
    }

    /// Where the tab in front is in the tab order.
    pub fn active_index(&self) -> usize {
        self.index_of(self.active).unwrap_or(0)
    }

    /// Where tab `id` is in the tab order, if it is open.
    pub fn index_of(&self, id: TabId) -> Option<usize> {
        self.open.iter().position(|o| o.tab.id == id)
    }

    /// The open scenario of tab `id`.
    pub fn open_scenario(&self, id: TabId) -> Option<&OpenScenario> {
        self.open.iter().find(|o| o.tab.id == id)
    }

    /// The open scenario of tab `id`, to change.
    pub fn open_scenario_mut(&mut self, id: TabId) -> Option<&mut OpenScenario> {
        self.open.iter_mut().find(|o| o.tab.id == id)
    }

    /// The open scenario in front.
    pub fn front(&self) -> &OpenScenario {
        &self.open[self.active_index()]
    }

    /// The scenario in front.
    pub fn scenario(&self) -> &Scenario {
        &self.front().scenario
    }

    /// The runtime of the scenario in front.
    pub fn tab(&self) -> &Tab {
        &self.front().tab
    }

    /// The state to keep on disk.
    pub fn saved(&self) -> Saved {
        Saved::of(self)
    }

    /// The analysis of the scenario in front, if it is of the dataset in use (a mismatch is a
    /// bug: it stops a debug build; a release build shows the before figures instead).
    pub fn analysis(&self) -> Option<&Analysis> {
        self.analysis_of(self.active)
    }

    /// The analysis of tab `id`, as [`AppState::analysis`].
    pub fn analysis_of(&self, id: TabId) -> Option<&Analysis> {
        let (analysis, _) = self.open_scenario(id)?.tab.analysis.as_ref()?;
        if analysis.is_of(&self.workspace) {
            Some(analysis)
        } else {
            debug_assert!(false, "an analysis of another dataset is kept");
            None
        }
    }

    /// What the figures panels show for the scenario in front: its analysis's, else the
    /// dataset's before figures.
    pub fn figures(&self) -> &FiguresView {
        match &self.tab().analysis {
            Some((analysis, view)) if analysis.is_of(&self.workspace) => view,
            _ => &self.before,
        }
    }
}
