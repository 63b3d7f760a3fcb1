"""Visit cards (巡回連絡カード): encrypted contents, consent, retention and the disaster safety check."""
