"""The household and business registry of each beat, routine visits (巡回連絡), visit policy, worklists and coverage."""
