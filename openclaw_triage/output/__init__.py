"""What the tool prints for people and scripts: `check`'s text and JSON (`check`), the JSON
contract (`schema`) and the Markdown support report (`report`). Every secret is masked here.
"""
