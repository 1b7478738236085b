//! The two languages Jianzhi speaks. The app's labels live in `app::i18n`; messages from the
//! library (import problems) carry both languages in a [`Message`](crate::error::Message).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}
