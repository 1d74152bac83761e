-- Views are recreated from these files on upgrade when their text changes:
-- drop them all first so a changed column list never blocks the rebuild.
drop view if exists mart.supervision_closure cascade;
drop view if exists mart.supervision_items cascade;
drop view if exists mart.disability_aid cascade;
drop view if exists mart.employment cascade;
drop view if exists mart.target_completion cascade;
drop view if exists mart.target_progress cascade;
drop view if exists mart.assessment_publication_changes cascade;
drop view if exists mart.assessment_published_scores cascade;
drop view if exists mart.assessment_published_results cascade;
drop view if exists mart.assessment_publications cascade;
drop view if exists mart.assessment_results cascade;
drop view if exists mart.assessment_scores cascade;
drop view if exists mart.assessment_results_by_scheme cascade;
drop view if exists mart.assessment_scores_by_scheme cascade;
drop view if exists mart.assessment_target_points cascade;
drop view if exists mart.assessment_items cascade;
drop view if exists mart.assessment_evaluations cascade;
drop view if exists mart.peer_benchmark cascade;
drop view if exists mart.peer_standings_computed cascade;
drop view if exists mart.peer_standing cascade;
drop view if exists mart.peer_years cascade;
drop view if exists mart.indicator_figures cascade;
drop view if exists mart.indicators cascade;
drop view if exists mart.districts cascade;
