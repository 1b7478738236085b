//! What every exported file records about itself: the data source, the scenario (name,
//! parameters and edit list), the Jianzhi version and when the file was made.

use crate::lang::Lang;
use crate::model::Dataset;
use crate::scenario::Scenario;

/// The version of Jianzhi that wrote a file.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A file's provenance, in the words every format writes it with.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    /// The dataset's name.
    pub dataset: String,
    /// The figures of the dataset that are modelled rather than observed (empty if none).
    pub modelled: Vec<crate::model::Figure>,
    /// Where the dataset's figures come from.
    pub sources: Vec<String>,
    /// The scenarios the file shows (one for a run, several for a comparison).
    pub scenarios: Vec<ScenarioNote>,
    /// "Jianzhi 0.1.0".
    pub program: String,
    /// When the file was made, local time with its offset (RFC 3339).
    pub made_at: String,
}

/// A scenario as a file records it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioNote {
    pub name: String,
    pub description: String,
    /// The scenario as TOML: every parameter and the edit list, readable back by Jianzhi.
    pub toml: String,
    /// How many hand edits it has.
    pub edits: usize,
}

impl ScenarioNote {
    pub fn of(scenario: &Scenario) -> Self {
        Self {
            name: scenario.name.clone(),
            description: scenario.description.clone(),
            toml: scenario.to_toml(),
            edits: scenario.edits.len(),
        }
    }
}

impl Metadata {
    /// The metadata of files about `scenarios` on `dataset`, made now.
    pub fn new<'a>(dataset: &Dataset, scenarios: impl IntoIterator<Item = &'a Scenario>) -> Self {
        Self::made_at(dataset, scenarios, now())
    }

    /// The same with a given time (tests, reproducible files).
    pub fn made_at<'a>(
        dataset: &Dataset,
        scenarios: impl IntoIterator<Item = &'a Scenario>,
        made_at: String,
    ) -> Self {
        let p = &dataset.provenance;
        Self {
            dataset: p.name.clone(),
            modelled: p.modelled.clone(),
            sources: p.sources.clone(),
            scenarios: scenarios.into_iter().map(ScenarioNote::of).collect(),
            program: format!("Jianzhi {VERSION}"),
            made_at,
        }
    }

    /// The scenario names joined for a title line ("A / B").
    pub fn scenario_names(&self) -> String {
        let names: Vec<&str> = self.scenarios.iter().map(|s| s.name.as_str()).collect();
        names.join(" / ")
    }

    /// The note shown wherever modelled figures appear, or `None` for observed data.
    pub fn modelled_note(&self, lang: Lang) -> Option<String> {
        if self.modelled.is_empty() {
            return None;
        }
        let names: Vec<&str> = self.modelled.iter().map(|f| f.label(lang)).collect();
        let figures = names.join(match lang {
            Lang::Zh => "、",
            Lang::En => ", ",
        });
        Some(match lang {
            Lang::Zh => format!("含模拟数据（{figures}），仅供演示与方法比较，不代表实际情况"),
            Lang::En => format!(
                "Contains modelled data ({figures}): for demonstration and comparison of methods, not actual figures"
            ),
        })
    }

    /// Label and value lines: what a file's "about" part shows (scenario TOML apart).
    pub fn lines(&self, lang: Lang) -> Vec<(&'static str, String)> {
        let zh = lang == Lang::Zh;
        let label = |z: &'static str, e: &'static str| if zh { z } else { e };
        let mut lines = vec![
            (label("数据", "Data"), self.dataset.clone()),
            (
                label("模拟数据", "Modelled"),
                self.modelled_note(lang)
                    .unwrap_or_else(|| label("无", "none").to_string()),
            ),
        ];
        for source in &self.sources {
            lines.push((label("来源", "Source"), source.clone()));
        }
        for s in &self.scenarios {
            let mut text = s.name.clone();
            if !s.description.is_empty() {
                text += &format!(" — {}", s.description);
            }
            lines.push((label("方案", "Scenario"), text));
            lines.push((label("手动调整", "Hand edits"), s.edits.to_string()));
        }
        lines.push((label("软件", "Made with"), self.program.clone()));
        lines.push((label("生成时间", "Made at"), self.made_at.clone()));
        lines
    }
}

/// The local time now, RFC 3339 to the second (UTC where the time zone is unknown); or, for
/// reproducible reports, the time `SOURCE_DATE_EPOCH` gives (seconds since 1970, UTC).
pub fn now() -> String {
    let fixed = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| jiff::Timestamp::from_second(secs).ok());
    match fixed {
        Some(at) => at
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
        None => jiff::ZonedDateTime::now()
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
    }
}

/// A time [`now`] wrote, as seconds since 1970.
pub fn seconds_of(made_at: &str) -> Option<i64> {
    made_at
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_is_rfc3339_to_the_second() {
        let t = now();
        // 2026-11-24T15:04:05+08:00
        assert_eq!(t.len(), 25, "{t}");
        assert!(jiff::Timestamp::strptime("%Y-%m-%dT%H:%M:%S%:z", &t).is_ok());
    }
}
