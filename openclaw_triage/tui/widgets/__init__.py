"""The app's widgets, one area each: the read-only panes, the profiles and chats tables, the
Gateway & channels pane, the findings list and its explanation.
"""
