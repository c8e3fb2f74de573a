"""Pure booking logic: plain functions over plain values, no Odoo import."""
