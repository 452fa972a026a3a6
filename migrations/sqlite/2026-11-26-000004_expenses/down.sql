DROP TABLE expense_uploads;
DROP TABLE recurring_occurrences;
DROP TABLE recurring_rules;
DROP TABLE expense_budgets;
DROP TABLE expenses;
DROP TABLE expense_categories;
DROP TABLE expense_trackers;
