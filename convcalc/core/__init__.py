"""The pure core: values, torch.nn's size rules, the other frameworks' rules, receptive fields, the analysis.

No I/O, no printing, no front end: every other package calls this one, and it imports none of them.
"""
