"""Scheduling: appointments with the person (home visits, phone calls...), the calendar of each user (MDOs,
appointments, task due dates, plan reviews), MDO invitations as iCalendar and a personal iCalendar feed
(issue 21, decision 0032).
"""
