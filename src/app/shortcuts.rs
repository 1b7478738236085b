//! The keyboard shortcuts: one list, read by the window (what each key does), by the help
//! (what is shown) and by the tests, so a key never does other than its entry says.

use eframe::egui::{self, Key, KeyboardShortcut, Modifiers};

use super::Command;
use super::i18n::Lang;

/// What a shortcut does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Undo,
    Redo,
    /// Enter presentation mode.
    Present,
    /// Show the comparison of the open scenarios, or leave it.
    Compare,
    /// A new copy of the scenario in front.
    NewScenario,
    /// The next open scenario (the previous one with Shift).
    NextScenario,
    PreviousScenario,
}

/// A shortcut: its keys (the first is the one shown), what it does, and where.
pub struct Shortcut {
    pub keys: &'static [KeyboardShortcut],
    pub action: Option<Action>,
    pub zh: &'static str,
    pub en: &'static str,
}

const fn key(modifiers: Modifiers, key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(modifiers, key)
}

const CTRL: Modifiers = Modifiers::COMMAND;
const CTRL_SHIFT: Modifiers = Modifiers {
    shift: true,
    ..Modifiers::COMMAND
};

/// Every shortcut of the window, most specific first: egui matches a shortcut whatever extra
/// Shift is held, so Ctrl+Shift+Z must be tried before Ctrl+Z (it was the other way round, and
/// redo undid).
pub const LIST: &[Shortcut] = &[
    Shortcut {
        keys: &[key(CTRL_SHIFT, Key::Z), key(CTRL, Key::Y)],
        action: Some(Action::Redo),
        zh: "重做",
        en: "Redo",
    },
    Shortcut {
        keys: &[key(CTRL, Key::Z)],
        action: Some(Action::Undo),
        zh: "撤销",
        en: "Undo",
    },
    Shortcut {
        keys: &[key(CTRL_SHIFT, Key::Tab)],
        action: Some(Action::PreviousScenario),
        zh: "上一个方案",
        en: "Previous scenario",
    },
    Shortcut {
        keys: &[key(CTRL, Key::Tab)],
        action: Some(Action::NextScenario),
        zh: "下一个方案",
        en: "Next scenario",
    },
    Shortcut {
        keys: &[key(CTRL, Key::T)],
        action: Some(Action::NewScenario),
        zh: "复制为新方案",
        en: "New copy of the scenario",
    },
    Shortcut {
        keys: &[key(CTRL, Key::M)],
        action: Some(Action::Compare),
        zh: "方案对比（开/关）",
        en: "Compare scenarios (on/off)",
    },
    Shortcut {
        keys: &[key(Modifiers::NONE, Key::F5)],
        action: Some(Action::Present),
        zh: "演示模式",
        en: "Presentation mode",
    },
    Shortcut {
        keys: &[
            key(Modifiers::NONE, Key::Escape),
            key(Modifiers::NONE, Key::F5),
        ],
        action: None,
        zh: "演示中：退出演示",
        en: "Presenting: leave",
    },
    Shortcut {
        keys: &[
            key(Modifiers::NONE, Key::ArrowRight),
            key(Modifiers::NONE, Key::ArrowLeft),
        ],
        action: None,
        zh: "演示中：下一个 / 上一个方案（也可用 PgDn / PgUp）",
        en: "Presenting: next / previous scenario (also PgDn / PgUp)",
    },
    Shortcut {
        keys: &[
            key(Modifiers::NONE, Key::Plus),
            key(Modifiers::NONE, Key::Minus),
        ],
        action: None,
        zh: "地图上：放大 / 缩小（滚轮亦可）",
        en: "Over the map: zoom in / out (or the wheel)",
    },
];

/// How a key reads in the help: `Ctrl+Shift+Z`.
pub fn describe(shortcut: &KeyboardShortcut) -> String {
    let m = shortcut.modifiers;
    let mut text = String::new();
    if m.command || m.ctrl {
        text += if cfg!(target_os = "macos") {
            "⌘"
        } else {
            "Ctrl+"
        };
    }
    if m.shift {
        text += "Shift+";
    }
    if m.alt {
        text += "Alt+";
    }
    text += match shortcut.logical_key {
        Key::ArrowRight => "→",
        Key::ArrowLeft => "←",
        Key::Plus => "+",
        Key::Minus => "−",
        Key::Escape => "Esc",
        other => other.name(),
    };
    text
}

/// The commands of the shortcuts pressed this frame (outside presentation mode, which has its
/// own keys).
pub fn pressed(ctx: &egui::Context, state: &super::AppState) -> Vec<Command> {
    let mut out = Vec::new();
    for shortcut in LIST {
        let Some(action) = shortcut.action else {
            continue;
        };
        if !ctx.input_mut(|i| shortcut.keys.iter().any(|k| i.consume_shortcut(k))) {
            continue;
        }
        let tabs = state.open.len();
        let at = state.active_index();
        let tab = |k: usize| Command::SelectScenario(state.open[k % tabs].tab.id);
        out.push(match action {
            Action::Undo => Command::Undo,
            Action::Redo => Command::Redo,
            Action::Present => Command::SetPresenting(true),
            Action::Compare => Command::SetComparing(!state.comparing),
            Action::NewScenario => Command::NewScenario,
            Action::NextScenario => tab(at + 1),
            Action::PreviousScenario => tab(at + tabs - 1),
        });
    }
    out
}

/// The shortcuts as a two-column grid (keys, what they do), in `lang`.
pub fn help(ui: &mut egui::Ui, lang: Lang) {
    egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
        for shortcut in LIST {
            let keys: Vec<String> = shortcut.keys.iter().map(describe).collect();
            ui.monospace(keys.join(" / "));
            ui.label(match lang {
                Lang::Zh => shortcut.zh,
                Lang::En => shortcut.en,
            });
            ui.end_row();
        }
    });
}
