//! Layered configuration: the documented defaults in `config/default.toml` (compiled in), then a
//! local file, then `FOITRACK__SECTION__KEY` environment variables.

use std::path::Path;
use std::time::Duration;

use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;

pub const DEFAULTS: &str = include_str!("../config/default.toml");

/// Read when present and no `--config` is given.
pub const LOCAL_FILE: &str = "foitrack.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub log: LogSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub listen: String,
    pub json_limit_bytes: usize,
    pub upload_limit_bytes: usize,
    pub workers: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub pool_size: u32,
    pub busy_timeout_ms: u64,
}

impl DatabaseSettings {
    pub fn busy_timeout(&self) -> Duration {
        Duration::from_millis(self.busy_timeout_ms)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub level: String,
}

#[derive(Debug, thiserror::Error)]
#[error("the configuration cannot be used: {0}")]
pub struct ConfigError(String);

impl Settings {
    /// Loads the defaults, then `file` (or `foitrack.toml` if it exists), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_with(file, None)
    }

    /// As [`Settings::load`], with a database URL from the command line taking precedence.
    pub fn load_with(file: Option<&Path>, database_url: Option<&str>) -> Result<Self, ConfigError> {
        let mut builder = Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml));
        match file {
            Some(path) => {
                if !path.exists() {
                    return Err(ConfigError(format!("the file {} does not exist", path.display())));
                }
                builder = builder.add_source(File::from(path).format(FileFormat::Toml));
            }
            None if Path::new(LOCAL_FILE).exists() => {
                builder = builder.add_source(File::with_name(LOCAL_FILE).format(FileFormat::Toml));
            }
            None => {}
        }
        builder = builder.add_source(
            Environment::with_prefix("FOITRACK").prefix_separator("__").separator("__").try_parsing(true),
        );
        if let Some(url) = database_url {
            builder = builder.set_override("database.url", url).map_err(|e| ConfigError(e.to_string()))?;
        }
        let settings: Settings =
            builder.build().and_then(|c| c.try_deserialize()).map_err(|e| ConfigError(e.to_string()))?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), ConfigError> {
        if self.database.pool_size == 0 {
            return Err(ConfigError("database.pool_size must be at least 1".into()));
        }
        crate::store::Target::parse(&self.database.url)
            .map_err(|e| ConfigError(format!("database.url: {e}")))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_load_and_describe_the_embedded_setup() {
        let s = Settings::load(None).unwrap();
        assert_eq!(s.server.listen, "127.0.0.1:8080");
        assert_eq!(s.database.url, "sqlite://foitrack.db");
        assert_eq!(s.database.pool_size, 8);
    }

    #[test]
    fn a_file_overrides_the_defaults_and_unknown_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.toml");
        std::fs::write(&good, "[database]\nurl = \"postgres://u@h/db\"\n").unwrap();
        assert_eq!(Settings::load(Some(&good)).unwrap().database.url, "postgres://u@h/db");
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "[database]\nulr = \"x\"\n").unwrap();
        let err = Settings::load(Some(&bad)).unwrap_err().to_string();
        assert!(err.contains("ulr"), "{err}");
        assert!(Settings::load(Some(&dir.path().join("missing.toml"))).is_err());
    }
}
