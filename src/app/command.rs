//! Everything that changes the app goes through one [`Command`]: panels return them, and only
//! [`JianzhiApp::apply`](super::JianzhiApp::apply) carries them out.

use std::path::PathBuf;

use crate::lang::Lang;
use crate::scenario::Scenario;

#[derive(Debug, Clone)]
pub enum Command {
    /// An edit of the scenario in front (undoable). `coalesce` merges it with the previous
    /// edit of a drag.
    EditScenario {
        scenario: Box<Scenario>,
        coalesce: bool,
    },
    /// Undo or redo the last edit of the scenario in front.
    Undo,
    Redo,
    /// Replace the scenario in front with a built-in preset (undoable).
    LoadPreset(String),
    /// A dataset folder (or a file in one) to load, or a scenario file to open in a new tab.
    OpenPath(PathBuf),
    /// Open a province (its code): Sichuan's demo, or another province modelled from its
    /// real codes (on first use, on the loading thread).
    OpenProvince(&'static str),
    /// Open the whole country: every province loaded together.
    OpenCountry,
    /// Stop the dataset load under way; the data in use stays.
    CancelLoad,
    SaveScenario(PathBuf),
    /// Export the scenario in front into a folder, in the formats chosen.
    Export(PathBuf),
    /// Stop the export under way between two files (each file written is whole).
    CancelExport,
    /// Sweep the township target of the scenario in front (the trade-off frontier).
    SweepFrontier,
    /// Stop the sweep under way.
    CancelFrontier,
    /// The formats exports write (never none).
    SetExportFormats(Vec<crate::report::export::Format>),
    /// The EPSG code of the system GIS layers are written in; none for the dataset's own.
    SetExportCrs(Option<u32>),
    SetLanguage(Lang),
    SetDark(bool),
    /// The panel sizes, as the user left them.
    SetLayout(super::state::Layout),
    DismissProblems,
    /// Open a copy of the scenario in front in a new tab.
    NewScenario,
    /// Bring the scenario of a tab to the front.
    SelectScenario(super::state::TabId),
    /// Close the scenario of a tab (the last one stays open).
    CloseScenario(super::state::TabId),
    /// A hand edit of the scenario in front, made on the map (undoable); if the engine refuses
    /// it, it is undone and the map says why.
    Edit(crate::scenario::Edit),
    /// Mark a county in the county table (a unit of it was selected on the map).
    HighlightCounty(crate::model::CountyId),
    /// Select a county's townships on the map and fit the map to it (from the table).
    FocusCounty(crate::model::CountyId),
    /// Show hand edit `k` of the scenario in front on the map.
    FocusEdit(usize),
    /// Enter or leave presentation mode (full screen, large type, map and charts only).
    SetPresenting(bool),
    /// Show the comparison of the open scenarios, or the figures of the one in front.
    SetComparing(bool),
    /// Open or close the About box (version, data sources, licences).
    SetAbout(bool),
    /// In the column-mapping dialog: the header (by index) that holds a field, or none.
    MapColumn(crate::import::table::Column, Option<usize>),
    /// In the column-mapping dialog: save the mapping as `columns.toml` beside the data.
    SetSaveMapping(bool),
    /// Load the dataset with the mapping chosen in the dialog (saving it if asked).
    ApplyMapping,
    /// Close the column-mapping dialog; the data in use stays.
    CloseMapping,
}
