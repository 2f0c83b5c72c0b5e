"""One service per page (labeling, slicing, training, compare): what a page shows, computed from the core packages.

Services never import streamlit; display formatting is kept apart from analysis."""
