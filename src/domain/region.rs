//! NHS England commissioning regions, as coded in NHS Digital's ODS files.

/// The region name for an NHS England region code (`Y56` → `London`), if it is one.
pub fn nhs_region_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "Y56" => "London",
        "Y58" => "South West",
        "Y59" => "South East",
        "Y60" => "Midlands",
        "Y61" => "East of England",
        "Y62" => "North West",
        "Y63" => "North East and Yorkshire",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_the_seven_english_regions() {
        assert_eq!(nhs_region_name("Y56"), Some("London"));
        assert_eq!(nhs_region_name("Y63"), Some("North East and Yorkshire"));
        assert_eq!(nhs_region_name(""), None);
        assert_eq!(nhs_region_name("W00"), None);
    }
}
