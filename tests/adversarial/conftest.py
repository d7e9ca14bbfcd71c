# The red-team folder holds hostile inputs and the scripts that forged them (data, never imported).
collect_ignore_glob = ["redteam/*"]
