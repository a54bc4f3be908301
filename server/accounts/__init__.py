"""Account administration: people, links to set a password, password policy, second factor."""
