DROP TABLE weekly_actives;
DROP TABLE weekly_counts;
