"""Meta (Facebook Pages and Messenger): Graph API webhook payloads and their signatures."""
