"""Documents in the plan: discharge letters, reports and other files shared with the team (issue 21)."""
