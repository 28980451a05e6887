"""``kg extract``: who says a transfer happened, how hedged, who denies it, and one fact per
transfer. The texts are invented for these tests (never sentences of articles); the values
are the exact drafted ones."""
from __future__ import annotations

import pytest

from kg.extract.draft import draft


def _draft(body: str, reference):
    return draft(f"Arms in a test\n\nTest Wire\nMonday, May 5, 2025\n\n{body}\n", reference, "t", "t.txt",
                 propose=False)


def _transfers(body: str, reference) -> list[dict]:
    """Each drafted transfer's values (without the notes), with its paragraphs as ``at``."""
    return [{"at": f.at, **{k: v for k, v in f.values.items() if not k.startswith("_")}}
            for f in _draft(body, reference).facts if f.type == "arms-transfer"]


# --- what is a transfer --------------------------------------------------------------------------


def test_ships_as_a_noun_are_no_transfer(reference):
    d = _draft("The French ships on the list include an aircraft carrier, two attack submarines and a frigate.",
               reference)
    assert ([f.id for f in d.facts if f.type == "arms-transfer"], d.skipped) == ([], [])


def test_ship_as_a_verb_is_a_transfer(reference):
    assert _transfers("Germany will ship two Patriot systems to Ukraine next month.", reference) == [
        {"at": [3], "supplier": "DEU", "recipient": "UKR", "weapon": "patriot", "quantity": 2, "status": "planned"}]


def test_handed_with_the_recipient_as_indirect_object(reference):
    assert _transfers("Late last year North Korea handed Russia two ballistic missile launchers.", reference) == [
        {"at": [3], "supplier": "PRK", "recipient": "RUS", "weapon": "ballistic-missile-launcher", "quantity": 2,
         "status": "delivered"}]


# --- one event, one fact -------------------------------------------------------------------------


def test_a_named_weapon_and_its_generic_noun_are_one_transfer(reference):
    assert _transfers("Turkey sold Bayraktar TB2 drones to Poland last year.\n\n"
                      "The drones arrived in Poland in May.", reference) == [
        {"at": [3, 4], "supplier": "TUR", "recipient": "POL", "weapon": "bayraktar-tb2", "status": "delivered"}]


# --- speakers and hedges -------------------------------------------------------------------------


def test_the_speaker_before_the_report(reference):
    assert _transfers("Interfax reported that Russia delivered S-400 systems to India.", reference) == [
        {"at": [3], "supplier": "RUS", "recipient": "IND", "weapon": "s-400", "certainty": "attributed",
         "according_to": ["interfax"], "status": "delivered"}]


def test_the_speaker_after_a_quotation(reference):
    assert _transfers('Russia delivered S-400 systems to India, "our sources say," Interfax reported.',
                      reference) == [
        {"at": [3], "supplier": "RUS", "recipient": "IND", "weapon": "s-400", "certainty": "attributed",
         "according_to": ["interfax"], "status": "delivered"}]


def test_a_hedge_about_timing_is_no_hedge_about_the_transfer(reference):
    assert _transfers("Germany delivered two Patriot systems to Ukraine; a third may follow in June.",
                      reference) == [
        {"at": [3], "supplier": "DEU", "recipient": "UKR", "weapon": "patriot", "quantity": 2,
         "status": "delivered"}]


def test_handed_in_the_passive_and_hand_over_around_its_object(reference):
    assert _transfers("Ukraine has been handed its first IRIS-T system by Germany.\n\n"
                      "On the other hand, Spain agreed to hand two NASAMS launchers over to Ukraine.", reference) == [
        {"at": [3], "supplier": "DEU", "recipient": "UKR", "weapon": "iris-t", "status": "delivered"},
        {"at": [4], "supplier": "ESP", "recipient": "UKR", "weapon": "nasams", "quantity": 2, "status": "planned"}]


def test_the_speaker_is_the_head_after_according_to(reference):
    (t,) = _transfers("According to the German Defence Ministry's website, Germany delivered IRIS-T systems "
                      "to Ukraine.", reference)
    assert (t["certainty"], t["according_to"]) == ("attributed", ["germany-defence-ministry"])


def test_two_generic_nouns_of_one_category_in_a_sentence_are_one_transfer(reference):
    assert _transfers("Iran sent Kamikaze drones to Russia and helped it build more drones.", reference) == [
        {"at": [3], "supplier": "IRN", "recipient": "RUS", "weapon": "kamikaze-drone", "status": "delivered"}]


def test_a_running_total_is_no_quantity_of_the_delivery(reference):
    (t,) = _transfers("Germany has delivered 76 IRIS-T launchers (up from 60) to Ukraine.", reference)
    assert ("quantity" in t, t["weapon"]) == (False, "iris-t")


def test_a_party_that_speaks_of_its_transfer_is_no_source(reference):
    (t,) = _transfers("Germany announced that it would supply Ukraine with IRIS-T systems.", reference)
    assert ("according_to" in t, "certainty" in t, t["supplier"], t["recipient"]) == (False, False, "DEU", "UKR")


def test_the_subject_of_an_infinitive_is_the_clause_subject(reference):
    (t,) = _transfers("In May, Spain followed Italy in agreeing to hand one NASAMS launcher over to Ukraine.",
                      reference)
    assert (t["supplier"], t["recipient"]) == ("ESP", "UKR")


def test_taken_delivery_of_weapons_named_by_their_origin(reference):
    assert _transfers("Egypt has taken delivery of Russian MiG-29 jets.", reference) == [
        {"at": [3], "supplier": "RUS", "recipient": "EGY", "weapon": "mig-29", "status": "delivered"}]


def test_a_states_body_speaks_not_the_state(reference):
    (t,) = _transfers("Germany delivered IRIS-T systems to Ukraine, Germany's defence ministry said.", reference)
    assert t["according_to"] == ["germany-defence-ministry"]
    (t,) = _transfers("According to the Turkish daily Daily Sabah, Turkey sold Bayraktar TB2 drones to Poland.",
                      reference)
    assert t["according_to"] == ["daily-sabah"]


def test_its_ministry_denies(reference):
    d = _draft("Russia sold Su-35 jets to Iran, a newspaper said.\n\n"
               "Russia rejected the report; its defence ministry denied any sale.", reference)
    assert [(f.values["by"], f.at) for f in d.facts if f.type == "denial"] == [
        (["RUS"], [4]), (["russia-defence-ministry"], [4])]


def test_officials_of_states_speak_as_the_references_groups(reference):
    assert _transfers("Officials from Russia and Iran said Russia was supplying Iran with Mi-28 helicopters.",
                      reference) == [
        {"at": [3], "supplier": "RUS", "recipient": "IRN", "weapon": "mi-28", "certainty": "attributed",
         "according_to": ["russian-officials", "iranian-officials"], "status": "reported"}]


def test_the_company_said_is_the_company_named_before(reference):
    (t,) = _transfers("Baykar, the Turkish drone maker, has handed Poland the last Bayraktar TB2 drones, "
                      "the company said.", reference)
    assert (t["supplier"], t["recipient"], t["according_to"]) == ("TUR", "POL", ["baykar"])


def test_weapons_still_to_be_delivered_are_planned(reference):
    (t,) = _transfers("Parts of the S-400 system are in India, but the key parts have yet to be delivered by Russia.",
                      reference)
    assert (t["supplier"], t["recipient"], t["status"]) == ("RUS", "IND", "planned")


def test_brought_for_and_a_generic_noun_of_the_same_transfer(reference):
    assert _transfers("Serbia took delivery of a Chinese air defence system, officials said. The planes "
                      "reportedly brought HQ-22 systems for the Serbian army.", reference) == [
        {"at": [3], "supplier": "CHN", "recipient": "SRB", "weapon": "hq-22", "certainty": "reported",
         "status": "reported"}]


def test_a_pronoun_for_a_speaker_is_no_state(reference):
    d = _draft("The White House said that it believes the former Soviet country plans to buy Shahed-136 drones "
               "from Iran.", reference)
    assert ([f.id for f in d.facts], d.skipped) == ([], ["3.1: a transfer cue 'buy' without a recipient in the reference"])


def test_one_delivery_told_twice_is_one_transfer_but_batches_stay_apart(reference):
    assert _transfers("Germany delivered IRIS-T systems to Ukraine.\n\n"
                      "The IRIS-T systems that Germany delivered to Ukraine protect Kyiv.", reference) == [
        {"at": [3, 4], "supplier": "DEU", "recipient": "UKR", "weapon": "iris-t", "status": "delivered"}]
    assert [t["at"] for t in _transfers("Germany delivered IRIS-T systems to Ukraine.\n\n"
                                        "Germany delivered the last batch of IRIS-T systems to Ukraine.",
                                        reference)] == [[3], [4]]


# --- denials as claims of the facts they deny ----------------------------------------------------

DENIED = ("Russia sold Su-35 jets to Iran, a newspaper said.\n\n"
          "Russia's defence ministry said it had not approved any sale of Su-35 jets to Iran. "
          "Iran pushed back against the accusation.")


def test_narrower_denials_are_claims_of_the_fact_and_no_transfer_of_their_own(reference):
    d = _draft(DENIED, reference)
    (t,) = [f for f in d.facts if f.type == "arms-transfer"]
    assert (t.at, t.values["claims"]) == ([3], [
        {"id": "russia-defence-ministry-denies-approval", "mode": "denies-approval", "by": ["russia-defence-ministry"],
         "at": [4]},
        {"id": "irn-rejects", "mode": "rejects", "by": ["IRN"], "at": [4]}])
    assert d.skipped == ["4.1: a transfer cue 'sale of' under a negation ('not approved any'): no transfer drafted"]


def test_a_draft_with_claims_builds(tmp_path):
    from click.testing import CliRunner

    from conftest import copy_reference_project
    from kg.cli import cli

    project = copy_reference_project(tmp_path / "project")
    (tmp_path / "a.txt").write_text(f"Arms in a test\n\nTest Wire\nMonday, May 5, 2025\n\n{DENIED}\n", encoding="utf-8")
    out = project / "data" / "articles" / "t.yaml"
    runner = CliRunner()
    result = runner.invoke(cli, ["-C", str(project), "extract", str(tmp_path / "a.txt"), "--id", "t", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "      - id: irn-rejects\n        mode: rejects\n        by: [IRN]\n        at: [4]\n" in out.read_text()
    result = runner.invoke(cli, ["-C", str(project), "validate"])
    assert (result.exit_code, result.stderr[:9]) == (0, "Conforms:"), result.output


def test_a_supply_ship_is_no_transfer_cue(reference):
    d = _draft("China's ships at the drill with Russia include a Type 054A frigate and a supply ship.", reference)
    assert [f.id for f in d.facts if f.type == "arms-transfer"] == []
    assert _transfers("Russia supplies Iran with Su-35 jets.", reference) == [
        {"at": [3], "supplier": "RUS", "recipient": "IRN", "weapon": "su-35", "status": "reported"}]


def test_a_weapon_in_a_clause_of_its_own_is_not_transferred(reference):
    d = _draft("Since 2020 the drill with Russia has had Chinese medics providing care to Thai villagers, and it "
               "has also been a testing ground for the Stinger.", reference)
    assert [f.id for f in d.facts if f.type == "arms-transfer"] == []


def test_a_retracted_report_is_unclear(reference):
    assert _transfers("A news site said Russia would deliver Su-35 jets to Iran, but later removed the story.",
                      reference) == [
        {"at": [3], "supplier": "RUS", "recipient": "IRN", "weapon": "su-35", "certainty": "unclear",
         "status": "reported"}]


def test_the_subject_of_an_infinitive_after_a_clause_of_when(reference):
    (t,) = _transfers("France lost out last year, when Australia decided to drop a deal to buy Scorpene submarines.",
                      reference)
    assert t["recipient"] == "AUS"


def test_a_ministry_that_lists_what_arrived_is_the_source(reference):
    _, t = _transfers("Germany sent NASAMS launchers to Ukraine.\n\n"
                      "In a statement, the German Defence Ministry listed what had reached Ukraine: IRIS-T systems.",
                      reference)
    assert (t["supplier"], t["recipient"], t["according_to"]) == ("DEU", "UKR", ["germany-defence-ministry"])


def test_another_speakers_account_of_the_same_transfer_is_a_claim(reference):
    assert _transfers("Interfax said Russia delivered S-400 systems to India.\n\n"
                      "Russia delivered the S-400 systems to India, according to the Kremlin.", reference) == [
        {"at": [3, 4], "supplier": "RUS", "recipient": "IND", "weapon": "s-400", "certainty": "attributed",
         "according_to": ["interfax"], "status": "delivered",
         "claims": [{"id": "kremlin-account", "by": ["kremlin"], "at": [4], "certainty": "attributed"}]}]


def test_a_consignment_is_no_batch_of_several(reference):
    assert [t["at"] for t in _transfers("A consignment of S-400 systems reached India from Russia.\n\n"
                                        "Russia delivered S-400 systems to India.", reference)] == [[3, 4]]


def test_talks_of_a_possessor_with_a_partner_to_obtain_weapons(reference):
    (t,) = _transfers("The United States is worried, an official said, that Russia's talks with Iran to obtain "
                      "Fath-360 missiles are moving forward.", reference)
    assert (t["supplier"], t["recipient"], t["status"]) == ("IRN", "RUS", "planned")


# --- intentions and decisions --------------------------------------------------------------------


def test_an_intention_to_get_weapons_is_drafted_as_intended(reference):
    (t,) = _transfers("Russia plans to buy Shahed-136 drones from Iran.", reference)
    assert (t["supplier"], t["recipient"], t["status"], t["modality"]) == ("IRN", "RUS", "planned", "intended")
    (t,) = _transfers("Russia's negotiations with Iran to obtain Fath-360 missiles are moving forward.", reference)
    assert (t["status"], t["modality"]) == ("planned", "intended")
    # a decision stays a plan with no intention
    (t,) = _transfers("Germany will ship two Patriot systems to Ukraine next month.", reference)
    assert (t["status"], "modality" in t) == ("planned", False)


def test_a_deal_and_its_later_delivery_in_another_paragraph_are_one_transfer(reference):
    # a plan and then the delivery of the same weapons between the same states: one transfer, at
    # its latest stage; in one paragraph two statuses stay two transfers
    assert _transfers("Russia agreed to supply S-400 systems to India.\n\n"
                      "Russia delivered S-400 systems to India.", reference) == [
        {"at": [3, 4], "supplier": "RUS", "recipient": "IND", "weapon": "s-400", "status": "delivered"}]
    assert _transfers("India ordered S-400 systems from Russia.\n\n"
                      "Russia will supply S-400 systems to India.", reference) == [
        {"at": [3, 4], "supplier": "RUS", "recipient": "IND", "weapon": "s-400", "status": "ordered"}]
    assert [t["status"] for t in _transfers("Russia delivered S-400 systems to India. Russia will supply "
                                            "S-400 systems to India.", reference)] == ["delivered", "planned"]


def test_an_approximate_number_of_a_later_plan_keeps_it_apart(reference):
    # "about 400" is no exact quantity, but it is a number that differs from the delivery's
    assert [(t["at"], t["status"]) for t in _transfers(
        "Russia delivered 12 S-400 systems to India.\n\n"
        "Russia will supply about 400 S-400 systems to India in all.", reference)] == [
        ([3], "delivered"), ([4], "planned")]


def test_a_cumulative_number_is_no_quantity_of_the_delivery(reference):
    assert _transfers("Turkey has delivered a cumulative 18 Bayraktar TB2 drones to Poland.", reference) == [
        {"at": [3], "supplier": "TUR", "recipient": "POL", "weapon": "bayraktar-tb2", "status": "delivered"}]
    (t,) = _draft("Turkey has delivered a total of 18 Bayraktar TB2 drones to Poland.", reference).facts
    assert "quantity" not in t.values and t.values["_note"] == "Quantity: 18 in all so far (a running total)."


# --- a denied transfer that is only alleged ------------------------------------------------------

ALLEGED = ("Chile pushed back against Peruvian accusations that it had sold arms to Bolivia.\n\n"
           "Chile's foreign ministry said that Chile had not approved any sale of arms to Bolivia.")


def test_a_denied_transfer_only_alleged_is_drafted_as_alleged_with_the_denial_as_its_claim(reference):
    d = _draft(ALLEGED, reference)
    (t,) = [f for f in d.facts if f.type == "arms-transfer"]
    assert (t.at, {k: v for k, v in t.values.items() if not k.startswith("_")}) == ([4], {
        "supplier": "CHL", "recipient": "BOL", "weapon": "unspecified-arms", "status": "alleged",
        "certainty": "attributed", "according_to": ["PER"], "mode": "accuses",
        "claims": [{"id": "chl-denies-approval", "mode": "denies-approval", "by": ["CHL"], "at": [4]},
                   {"id": "chl-rejects", "mode": "rejects", "by": ["CHL"], "at": [3]}]})


def test_two_denials_of_one_speaker_in_a_sentence_are_one_claim(reference):
    d = _draft("Russia sold Su-35 jets to Iran, a newspaper said.\n\n"
               "Russia's defence ministry said it had not approved any sale of Su-35 jets to Iran and that "
               "it had neither sanctioned nor approved them.", reference)
    (t,) = [f for f in d.facts if f.type == "arms-transfer"]
    assert t.values["claims"] == [{"id": "russia-defence-ministry-denies-approval", "mode": "denies-approval",
                                   "by": ["russia-defence-ministry"], "at": [4]}]


def test_a_rejection_of_accusations_before_the_alleged_transfer_is_named_is_its_claim(reference):
    d = _draft(ALLEGED, reference)
    (t,) = [f for f in d.facts if f.type == "arms-transfer"]
    assert [(c["mode"], c["by"], c["at"]) for c in t.values["claims"]] == [
        ("denies-approval", ["CHL"], [4]), ("rejects", ["CHL"], [3])]
    assert d.skipped == []


def test_the_speaker_of_the_delivery_is_the_source_of_a_transfer_the_article_told_as_a_plan(reference):
    assert _transfers("Germany will supply IRIS-T systems to Ukraine.\n\n"
                      "Germany delivered IRIS-T systems to Ukraine, the German Defence Ministry said.", reference) == [
        {"at": [3, 4], "supplier": "DEU", "recipient": "UKR", "weapon": "iris-t", "status": "delivered",
         "certainty": "attributed", "according_to": ["germany-defence-ministry"]}]


def test_a_speakers_belief_is_likely_not_a_statement(reference):
    (t,) = _transfers("The White House said it believes Russia plans to buy Shahed-136 drones from Iran.", reference)
    assert (t["certainty"], t["according_to"], t["modality"]) == ("likely", ["white-house"], "intended")
    (t,) = _transfers("Russia is believed to have supplied S-400 systems to India, the agency said.", reference)
    assert t["certainty"] != "likely"


def test_a_states_accusation_made_by_its_envoy_is_the_envoys(reference):
    # "Russian accusations", then the person who made them, given as a Russian official: the
    # accuser is the person, not the state
    d = _draft("Chile pushed back against Russian accusations that it had sold arms to Bolivia.\n\n"
               "Sergei Lavrov, the Russian foreign minister, said on Monday that he was sure Chile had sold "
               "weapons to Bolivia.\n\n"
               "Chile's foreign ministry said that Chile had not approved any sale of arms to Bolivia.", reference)
    (t,) = [f for f in d.facts if f.type == "arms-transfer"]
    assert (t.values["according_to"], t.values["mode"]) == (["sergei-lavrov"], "accuses")


def test_unnamed_officials_who_say_their_state_denies_are_the_references_unnamed_people(reference):
    # "a navy spokesman said that Iran had not approved": the speaker denies, not the state of the
    # clause he says; the title with that state is the reference's unnamed person
    d = _draft("Russia sold Su-35 jets to Iran, a newspaper said.\n\n"
               "A navy spokesman said on Monday that Iran had not approved any purchase of Su-35 jets.", reference)
    (t,) = [f for f in d.facts if f.type == "arms-transfer"]
    assert [(c["mode"], c["by"]) for c in t.values["claims"]] == [("denies-approval", ["iran-navy-spokesperson"])]
    d = _draft("Turkey sold Bayraktar TB2 drones to Poland, a newspaper said.\n\n"
               "A deputy defence minister and an army spokesman both said that Poland had not approved any "
               "purchase of the drones.", reference)
    (t,) = [f for f in d.facts if f.type == "arms-transfer"]
    assert [(c["mode"], c["by"]) for c in t.values["claims"]] == [("denies-approval", ["poland-deputy-defence-minister"])]


# --- a weapon named before, then by a plain noun -------------------------------------------------

PLANES = ("Chile has signed a contract to buy Rafale jets from France.\n\n"
          "The contract is part of a plan by Chile to buy 30 planes from Paris in all, officials said. "
          "The original plan was to buy 20 jets.")


def test_a_plain_noun_after_a_verb_of_transfer_is_the_weapon_named_before_and_a_plan_is_planned(reference):
    # one transfer: the plan's 30 planes are the Rafale jets of the contract told before
    assert _transfers(PLANES, reference) == [
        {"at": [3, 4], "supplier": "FRA", "recipient": "CHL", "weapon": "rafale", "status": "planned", "quantity": 30,
         "modality": "planned"}]


def test_the_figure_of_an_earlier_plan_is_no_transfer(reference):
    d = _draft(PLANES, reference)
    assert [f.values.get("quantity") for f in d.facts if f.type == "arms-transfer"] == [30]
    assert "4.2: 'jets' of an earlier plan, no transfer of its own" in d.skipped


def test_a_transfer_the_article_itself_reports_is_its_own_report_and_the_first_speakers_a_claim(reference):
    assert _transfers("Russia delivered Su-35 jets to Algeria, Interfax reported.\n\n"
                      "The Su-35 jets were reportedly delivered by Russia to Algeria.", reference) == [
        {"at": [3, 4], "supplier": "RUS", "recipient": "DZA", "weapon": "su-35", "certainty": "reported",
         "status": "delivered", "claims": [{"id": "interfax-account", "by": ["interfax"], "at": [3],
                                            "certainty": "attributed"}]}]


def test_a_retracted_report_is_the_speakers_claim_with_its_retraction_not_the_facts_source(reference):
    assert _transfers("Interfax said Russia would deliver Su-35 jets to Iran, but later removed the story.",
                      reference) == [
        {"at": [3], "supplier": "RUS", "recipient": "IRN", "weapon": "su-35", "certainty": "unclear",
         "claims": [{"id": "interfax-report", "by": ["interfax"], "at": [3], "certainty": "attributed"},
                    {"id": "interfax-retraction", "mode": "retracts", "of": "interfax-report", "by": ["interfax"],
                     "at": [3], "certainty": "attributed"}],
         "status": "reported"}]


def test_a_participle_after_an_article_is_no_transfer_cue(reference):
    # "the pledged jets": an attribute, not a verb whose subject (Chile) would be the supplier
    assert [(t["supplier"], t["recipient"]) for t in _transfers(
        "Peru sold Rafale jets to Chile.\n\nThe agency wrote of Chile getting one of the pledged Rafale jets.",
        reference)] == [("PER", "CHL")]


def test_missiles_delivered_with_a_system_are_the_references_missiles_launched_from_it(reference):
    assert [(t["weapon"], t["supplier"], t["recipient"]) for t in _transfers(
        "Germany delivered a Patriot air defence system together with missiles to Poland.", reference)] == [
        ("patriot", "DEU", "POL"), ("patriot-missile", "DEU", "POL")]


def test_a_second_clause_of_that_is_a_clause_of_its_own(reference):
    # the rockets of the first "that" clause are used, not bought: the purchase is of the systems
    assert [(t["weapon"], t["supplier"], t["recipient"]) for t in _transfers(
        "The ministry said that Grad rockets had been used by Peru and that it plans to buy missile systems "
        "from Chile.", reference)] == [("missile-system", "CHL", "PER")]
