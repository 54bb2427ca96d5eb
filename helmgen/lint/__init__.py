"""`helmgen lint`: IstioOperator files and chart folders checked for CI, findings in text, JSON, JUnit or SARIF.

`findings` (pure) is the data every other module shares: rules with stable ids, findings, results per file.
`rules` holds the rule table; `checks_*` produce findings; `reports/*` render them; `run` walks the paths and
checks files in parallel.
"""
