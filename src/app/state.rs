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
/// The format version of [`STATE_FILE`].
const STATE_VERSION: u32 = 1;

/// Sizes of the panels, in points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Layout {
    pub scenario_panel_width: f32,
    pub figures_panel_width: f32,
    pub county_table_height: f32,
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
        }
    }
}

impl Saved {
    /// The state kept in `dir`: `state.toml`, else the scenario of an earlier version's
    /// `last-scenario.toml`; `Ok(None)` if there is neither. A state file that cannot be read
    /// is an error (the caller says so and starts afresh; the file is left for the user).
    pub fn read(dir: &Path) -> Result<Option<Saved>, Message> {
        let path = dir.join(STATE_FILE);
        if path.is_file() {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                crate::tr!(
                    "{}: cannot read the saved state: {e}",
                    "{}：无法读取保存的状态：{e}",
                    path.display()
                )
            })?;
            let mut saved: Saved = toml::from_str(&text).map_err(|e| {
                crate::tr!(
                    "{}: the saved state is damaged ({e}); starting afresh",
                    "{}：保存的状态已损坏（{e}）；重新开始",
                    path.display()
                )
            })?;
            saved.active = saved.active.min(saved.scenarios.len().saturating_sub(1));
            return Ok((!saved.scenarios.is_empty()).then_some(saved));
        }
        let legacy = dir.join(LEGACY_SCENARIO);
        if !legacy.is_file() {
            return Ok(None);
        }
        match Scenario::read(&legacy) {
            Ok(scenario) => Ok(Some(Saved {
                scenarios: vec![scenario],
                ..Saved::default()
            })),
            Err(e) => Err(Message::new(e.describe(Lang::En), e.describe(Lang::Zh))),
        }
    }

    /// Writes the state into `dir` (atomically).
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let text = toml::to_string_pretty(self).map_err(std::io::Error::other)?;
        crate::report::write_atomic(
            &dir.join(STATE_FILE),
            format!("# Jianzhi: the open scenarios, language, theme and layout\n{text}").as_bytes(),
        )
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

/// The app's state, as panels see it (read only: they return commands).
pub struct AppState {
    pub saved: Saved,
    /// One per open scenario, in the order of `saved.scenarios`.
    pub tabs: Vec<Tab>,
    pub workspace: Arc<Workspace>,
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
}

impl AppState {
    pub fn lang(&self) -> Lang {
        self.saved.lang
    }

    /// The scenario in front.
    pub fn scenario(&self) -> &Scenario {
        &self.saved.scenarios[self.saved.active]
    }

    /// The runtime of the scenario in front.
    pub fn tab(&self) -> &Tab {
        &self.tabs[self.saved.active]
    }

    /// The analysis of the scenario in front, if it is of the dataset in use (a mismatch is a
    /// bug: it stops a debug build; a release build shows the before figures instead).
    pub fn analysis(&self) -> Option<&Analysis> {
        self.analysis_of(self.saved.active)
    }

    /// The analysis of scenario `index`, as [`AppState::analysis`].
    pub fn analysis_of(&self, index: usize) -> Option<&Analysis> {
        let (analysis, _) = self.tabs.get(index)?.analysis.as_ref()?;
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
