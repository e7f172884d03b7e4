"""Multidisciplinary consultation (MDO, C8): scheduling, invitations, attendance, minutes, decisions as plan
tasks, reimbursement rules as data.
"""
